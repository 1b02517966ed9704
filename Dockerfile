# Tideline daemon image. Build: docker build -t tideline .
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# Dependencies first, in their own layer: a change to the sources does not download them again.
COPY pom.xml ./
COPY api/pom.xml api/
COPY configs/pom.xml configs/
COPY idempotency/pom.xml idempotency/
COPY cdc-source/pom.xml cdc-source/
COPY realtime-runtime/pom.xml realtime-runtime/
COPY microbatch-runtime/pom.xml microbatch-runtime/
COPY sinks/pom.xml sinks/
COPY testkit/pom.xml testkit/
COPY daemon/pom.xml daemon/
COPY demo/pom.xml demo/
COPY bench/pom.xml bench/
RUN mvn -B -ntp -q -pl daemon -am dependency:go-offline -DexcludeGroupIds=io.tideline || true
COPY . .
RUN mvn -B -ntp -q -DskipTests -pl daemon -am install

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 tideline && mkdir -p /var/lib/tideline /etc/tideline && chown tideline /var/lib/tideline
# the layout bin/tideline expects (daemon/target/tideline.jar next to daemon/target/lib)
COPY --from=build /src/daemon/target/lib /opt/tideline/daemon/target/lib
COPY --from=build /src/daemon/target/tideline.jar /opt/tideline/daemon/target/tideline.jar
COPY --from=build /src/bin/tideline /opt/tideline/bin/tideline
WORKDIR /opt/tideline
USER tideline
ENV TIDELINE_STATE_DIR=/var/lib/tideline \
    TIDELINE_NO_BUILD=1 \
    TIDELINE_JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
VOLUME /var/lib/tideline
EXPOSE 8080
# No curl or wget in the JRE image: bash's /dev/tcp asks /health/ready.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["bash", "-c", \
  "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/ready HTTP/1.0\\r\\n\\r\\n' >&3 && head -1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["/opt/tideline/bin/tideline"]
CMD ["run", "--config", "/etc/tideline/tideline.properties"]
