# Tideline daemon image. Build: docker build -t tideline .
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -ntp -q -DskipTests -pl daemon -am install

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 tideline && mkdir -p /var/lib/tideline /etc/tideline && chown tideline /var/lib/tideline
COPY --from=build /src/daemon/target/tideline.jar /opt/tideline/tideline.jar
COPY --from=build /src/daemon/target/lib /opt/tideline/lib
USER tideline
ENV TIDELINE_STATE_DIR=/var/lib/tideline
VOLUME /var/lib/tideline
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD wget -qO- http://127.0.0.1:8080/health || exit 1
ENTRYPOINT ["java", "-XX:+ExitOnOutOfMemoryError", "-jar", "/opt/tideline/tideline.jar"]
CMD ["run", "--config", "/etc/tideline/tideline.properties"]
