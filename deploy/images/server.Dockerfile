# tracecast server image (gateway, runner or all): the checkout staged by deploy/build-images.sh (sources, the
# bundle in .build/, node_modules) on the same debootstrap base as the sandbox images, whose Node (Debian's nodejs)
# runs it. A runner needs the host's Docker socket mounted; its sandboxes are the host engine's containers.
ARG BASE=tracecast/base:latest
FROM ${BASE}
COPY app/ /opt/tracecast/
WORKDIR /opt/tracecast
ENV HOST=0.0.0.0 PORT=8080 NODE_ENV=production
EXPOSE 8080
# The bundle itself, not bin/tracecast.mjs: an image is built once (build-images.sh makes the bundle current first)
# and never rebuilds it at start.
ENTRYPOINT ["node", "--enable-source-maps", "/opt/tracecast/.build/server/cli.js"]
CMD ["serve"]
