# Postgres from Debian on the sandbox images' debootstrap base: a cluster in /data made at first start, trust
# authentication on the compose network only (nothing publishes its port), database `tracecast`.
ARG BASE=tracecast/base:latest
FROM ${BASE}
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null \
    && rm -rf /var/lib/apt/lists/* && mkdir -p /data && chown postgres:postgres /data
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint.sh
USER postgres
EXPOSE 5432
CMD ["sh", "/usr/local/bin/postgres-entrypoint.sh"]
