# The Flowgauge dashboard, served by `flowgauge serve`. Every build step is in docker/install-dashboard.sh, which
# CI also runs into a clean venv (tests/test_install_dashboard.py): this file only calls it. docs/deploy.md explains
# the volumes, the config and running several of these on one data volume.
FROM python:3.11-slim

COPY . /src
RUN /src/docker/install-dashboard.sh --container /src /opt/flowgauge && rm -rf /src

ENV PATH="/opt/flowgauge/bin:$PATH" \
    FLOWGAUGE_DATA_DIR=/data \
    PYTHONUNBUFFERED=1
USER flowgauge
WORKDIR /home/flowgauge
# /data: the snapshots and the dashboard's facts cache (shared with `flowgauge sync` and other dashboards);
# /config: flowgauge.toml (with data_folder = "/data") and its rules.
VOLUME ["/data", "/config"]
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read() != b'ok')"]
CMD ["flowgauge", "serve", "--config", "/config/flowgauge.toml", "--host", "0.0.0.0"]
