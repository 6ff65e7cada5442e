# Redis from Debian on the sandbox images' debootstrap base, set up as tracecast relies on it (README, Scaling out):
# noeviction (an evicted key is a lost run or log entry) and an append-only file fsynced every second.
ARG BASE=tracecast/base:latest
FROM ${BASE}
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null \
    && rm -rf /var/lib/apt/lists/* && mkdir -p /data && chown redis:redis /data
USER redis
EXPOSE 6379
CMD ["redis-server", "--bind", "0.0.0.0", "--protected-mode", "no", "--dir", "/data", "--appendonly", "yes", "--appendfsync", "everysec", "--maxmemory-policy", "noeviction"]
