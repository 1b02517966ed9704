package io.tideline.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PostgresUrlTest {

    @Test
    void jdbcUrlWithCredentialsInQueryKeepsOtherParameters() {
        PostgresUrl url = PostgresUrl.parse("jdbc:postgresql://db.example:6543/app?user=u1&password=p%40ss&sslmode=require");
        assertEquals("db.example", url.host());
        assertEquals(6543, url.port());
        assertEquals("app", url.database());
        assertEquals("u1", url.user());
        assertEquals("p@ss", url.password());
        assertEquals("jdbc:postgresql://db.example:6543/other?sslmode=require", url.jdbcUrl("other"));
    }

    @Test
    void postgresUrlWithUserInfoAndDefaults() {
        PostgresUrl url = PostgresUrl.parse("postgres://alice:s%3Acret@10.0.0.5");
        assertEquals("10.0.0.5", url.host());
        assertEquals(5432, url.port());
        assertEquals("postgres", url.database());
        assertEquals("alice", url.user());
        assertEquals("s:cret", url.password());
    }

    @Test
    void userWithoutPasswordHasEmptyPassword() {
        PostgresUrl url = PostgresUrl.parse("postgresql://bob@localhost:5433/db");
        assertEquals("bob", url.user());
        assertEquals("", url.password());
    }

    @Test
    void wrongSchemeIsRejectedWithoutEchoingThePassword() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PostgresUrl.parse("mysql://u:topsecret@h/db"));
        assertFalse(e.getMessage().contains("topsecret"), e.getMessage());
        assertFalse(url("jdbc:postgresql://h/db?user=u&password=topsecret").contains("topsecret"));
    }

    private static String url(String s) {
        return PostgresUrl.parse(s).toString();
    }
}
