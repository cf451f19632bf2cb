# Sourced by scripts/demo and scripts/test: finds Python >= 3.11 and creates or refreshes the
# project's virtual environment (.venv), reinstalling only when pyproject.toml has changed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${WIRE_INGEST_VENV:-$ROOT/.venv}"

find_python() {
    local candidate
    for candidate in ${PYTHON:-} python3.11 python3.12 python3.13 python3 python; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return
        fi
    done
    echo "wire-ingest: error: needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)" >&2
    exit 2
}

# ensure_env EXTRAS: "base" for the pipeline alone, "dev" for the pipeline and the test tools.
ensure_env() {
    local extras="$1" spec="$ROOT" stamp digest
    [ "$extras" = base ] || spec="$ROOT[$extras]"
    digest="$(cksum <"$ROOT/pyproject.toml")"
    if [ ! -x "$VENV/bin/python" ]; then
        echo "Creating the virtual environment $VENV"
        "$(find_python)" -m venv "$VENV"
    fi
    # pip compiles the packages it installs, but not an editable one, and where
    # PYTHONDONTWRITEBYTECODE is set Python never caches ours: every start would compile it
    # again (about 0.5 s of a 5 s cold start). Up-to-date files are skipped.
    "$VENV/bin/python" -m compileall -q "$ROOT/pipeline" >/dev/null
    # The dev install includes everything the base one does.
    for stamp in "$VENV/.installed-$extras" "$VENV/.installed-dev"; do
        if [ "$(cat "$stamp" 2>/dev/null)" = "$digest" ]; then
            return
        fi
    done
    echo "Installing wire-ingest ($extras) into $VENV: a few minutes the first time"
    if ! "$VENV/bin/python" -m pip install --disable-pip-version-check --editable "$spec" \
        >"$VENV/install.log" 2>&1; then
        tail -n 30 "$VENV/install.log" >&2
        echo "wire-ingest: error: installing failed; the whole log is $VENV/install.log" >&2
        exit 1
    fi
    echo "$digest" >"$VENV/.installed-$extras"
}

# ensure_airflow_env: Apache Airflow in an environment of its own (.venv-airflow), for the test
# that parses configs/airflow/wire_ingest_dag.py with Airflow's DagBag. Airflow pins its own
# dependencies, which clash with Beam's, so it never shares wire-ingest's environment.
AIRFLOW_VERSION="3.3.2"
AIRFLOW_VENV="${WIRE_INGEST_AIRFLOW_VENV:-$ROOT/.venv-airflow}"
ensure_airflow_env() {
    if [ "$(cat "$AIRFLOW_VENV/.installed" 2>/dev/null)" = "$AIRFLOW_VERSION" ]; then
        return
    fi
    echo "Installing Apache Airflow $AIRFLOW_VERSION into $AIRFLOW_VENV (for the DAG's test)"
    "$(find_python)" -m venv "$AIRFLOW_VENV"
    if ! "$AIRFLOW_VENV/bin/python" -m pip install --disable-pip-version-check \
        "apache-airflow==$AIRFLOW_VERSION" >"$AIRFLOW_VENV/install.log" 2>&1; then
        tail -n 30 "$AIRFLOW_VENV/install.log" >&2
        echo "wire-ingest: error: installing Airflow failed; see $AIRFLOW_VENV/install.log" >&2
        exit 1
    fi
    echo "$AIRFLOW_VERSION" >"$AIRFLOW_VENV/.installed"
}

# ensure_bqemulator_env: bqemulator, a BigQuery emulator built on DuckDB, in an environment of
# its own (.venv-bqemulator), for the tests of the bigquery: load target. It needs DuckDB 1.5.5
# (wire-ingest pins 2.0.0) with the spatial and avro extensions, which DuckDB would download
# on first use: their PyPI wheels are installed instead, and their files put where DuckDB looks
# for installed extensions under the emulator's own home, $BQEMULATOR_VENV/home, so the
# emulator never reaches the network.
BQEMULATOR_VERSION="1.4.0"
BQEMULATOR_DUCKDB="1.5.5"
BQEMULATOR_VENV="${WIRE_INGEST_BQEMULATOR_VENV:-$ROOT/.venv-bqemulator}"
ensure_bqemulator_env() {
    local stamp="$BQEMULATOR_VERSION duckdb $BQEMULATOR_DUCKDB"
    if [ "$(cat "$BQEMULATOR_VENV/.installed" 2>/dev/null)" = "$stamp" ]; then
        return
    fi
    echo "Installing bqemulator $BQEMULATOR_VERSION into $BQEMULATOR_VENV (for the BigQuery tests)"
    "$(find_python)" -m venv "$BQEMULATOR_VENV"
    if ! "$BQEMULATOR_VENV/bin/python" -m pip install --disable-pip-version-check \
        "bqemulator==$BQEMULATOR_VERSION" "duckdb==$BQEMULATOR_DUCKDB" numpy \
        "duckdb-extension-spatial==$BQEMULATOR_DUCKDB" \
        "duckdb-extension-avro==$BQEMULATOR_DUCKDB" >"$BQEMULATOR_VENV/install.log" 2>&1; then
        tail -n 30 "$BQEMULATOR_VENV/install.log" >&2
        echo "wire-ingest: error: installing bqemulator failed; see $BQEMULATOR_VENV/install.log" >&2
        exit 1
    fi
    "$BQEMULATOR_VENV/bin/python" - "$BQEMULATOR_VENV/home" <<'PYTHON'
import shutil, sys, sysconfig
from pathlib import Path

import duckdb

platform = duckdb.execute("PRAGMA platform").fetchone()[0]
site = Path(sysconfig.get_paths()["purelib"])
for extension in site.glob("duckdb_extension_*/extensions/*/*.duckdb_extension"):
    installed = Path(sys.argv[1], ".duckdb", "extensions", extension.parent.name, platform)
    installed.mkdir(parents=True, exist_ok=True)
    shutil.copy2(extension, installed / extension.name)
PYTHON
    echo "$stamp" >"$BQEMULATOR_VENV/.installed"
}

# The distributed engines (issue #16): what they need is fetched and staged here, by
# scripts/engines (and scripts/test), so that nothing downloads while a job runs. Each needs a
# tool the machine may lack (Java and Maven, Go); without it that engine is skipped with a
# message, and its tests skip saying so.
ENGINES="${WIRE_INGEST_ENGINES:-$ROOT/.engines}"
# Flink runs wire-ingest on Beam 2.62.0, the newest Beam whose Flink runner modules Maven
# Central serves here (BENCHMARKS.md), in an environment of its own, so that the Python SDK
# and the job server are one Beam version; Flink 1.19 is what that runner is built for.
FLINK_BEAM_VERSION="2.62.0"
FLINK_VERSION="1.19.3"
FLINK_VENV="${WIRE_INGEST_FLINK_VENV:-$ROOT/.venv-flink}"

has_tools() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 || return 1
    done
}

# ensure_flink_env: .venv-flink (wire-ingest on Beam $FLINK_BEAM_VERSION, and Flink's
# distribution from the apache-flink wheels, installed without their dependencies: they pin an
# old Beam) and Beam's Flink job server jar, built by Maven.
ensure_flink_env() {
    local minor="${FLINK_VERSION%.*}" stamp
    local jar="$ENGINES/beam-$FLINK_BEAM_VERSION/beam-runners-flink-$minor-job-server-$FLINK_BEAM_VERSION.jar"
    stamp="beam $FLINK_BEAM_VERSION flink $FLINK_VERSION $(cksum <"$ROOT/pyproject.toml")"
    if [ "$(cat "$FLINK_VENV/.installed" 2>/dev/null)" = "$stamp" ] && [ -f "$jar" ]; then
        return
    fi
    if ! has_tools java mvn; then
        echo "Skipping Flink: it needs java and mvn on PATH" >&2
        return
    fi
    echo "Installing Flink $FLINK_VERSION and wire-ingest on Beam $FLINK_BEAM_VERSION into $FLINK_VENV"
    "$(find_python)" -m venv "$FLINK_VENV"
    if ! { "$FLINK_VENV/bin/python" -m pip install --disable-pip-version-check \
        --editable "$ROOT" "apache-beam==$FLINK_BEAM_VERSION" &&
        "$FLINK_VENV/bin/python" -m pip install --disable-pip-version-check --no-deps \
            "apache-flink==$FLINK_VERSION" "apache-flink-libraries==$FLINK_VERSION"; \
        } >"$FLINK_VENV/install.log" 2>&1; then
        tail -n 30 "$FLINK_VENV/install.log" >&2
        echo "wire-ingest: error: installing Flink failed; see $FLINK_VENV/install.log" >&2
        exit 1
    fi
    echo "Building Beam $FLINK_BEAM_VERSION's Flink job server jar with Maven (a minute or two)"
    mkdir -p "$(dirname "$jar")"
    if ! mvn -B -q -f "$ROOT/scripts/maven/flink-job-server.pom.xml" package \
        -Dbeam.version="$FLINK_BEAM_VERSION" -Dflink.version="$FLINK_VERSION" \
        -Dflink.minor="$minor" -Dengines.build="$ENGINES/build/flink-job-server" \
        >"$ENGINES/build-flink-job-server.log" 2>&1; then
        tail -n 30 "$ENGINES/build-flink-job-server.log" >&2
        echo "wire-ingest: error: building the job server failed; see $ENGINES/build-flink-job-server.log" >&2
        exit 1
    fi
    mv "$ENGINES/build/flink-job-server/$(basename "$jar")" "$jar"
    rm -rf "$ENGINES/build"
    echo "$stamp" >"$FLINK_VENV/.installed"
}

# ensure_prism: Beam's Prism runner (a Go program) at the Beam version of .venv, built from
# the Go module proxy; Beam would otherwise download it from GitHub at run time.
ensure_prism() {
    local version
    version="$("$VENV/bin/python" -c 'import apache_beam; print(apache_beam.__version__)')"
    if [ -x "$ENGINES/prism-$version/prism" ]; then
        return
    fi
    if ! has_tools go; then
        echo "Skipping Prism: it needs go on PATH" >&2
        return
    fi
    echo "Building Beam $version's Prism runner with Go (several minutes the first time)"
    mkdir -p "$ENGINES/prism-$version"
    if ! GOBIN="$ENGINES/prism-$version" go install \
        "github.com/apache/beam/sdks/v2/go/cmd/prism@v$version" >"$ENGINES/build-prism.log" 2>&1; then
        tail -n 30 "$ENGINES/build-prism.log" >&2
        echo "wire-ingest: error: building Prism failed; see $ENGINES/build-prism.log" >&2
        exit 1
    fi
}

# ensure_kafka: a Kafka broker's jars (Kafka's own, from Maven Central), for scripts/kafka and
# the tests of kafka:// inputs and publishing.
KAFKA_VERSION="4.4.0"
KAFKA_LIBS="$ENGINES/kafka-$KAFKA_VERSION/libs"
ensure_kafka() {
    if [ -f "$KAFKA_LIBS/.complete" ]; then
        return
    fi
    if ! has_tools java mvn; then
        echo "Skipping Kafka: it needs java and mvn on PATH" >&2
        return
    fi
    echo "Fetching Kafka $KAFKA_VERSION's jars with Maven"
    rm -rf "$KAFKA_LIBS"
    mkdir -p "$KAFKA_LIBS"
    if ! mvn -B -q -f "$ROOT/scripts/maven/kafka.pom.xml" dependency:copy-dependencies \
        -Dkafka.version="$KAFKA_VERSION" -DincludeScope=runtime \
        -DoutputDirectory="$KAFKA_LIBS" >"$ENGINES/fetch-kafka.log" 2>&1; then
        tail -n 30 "$ENGINES/fetch-kafka.log" >&2
        echo "wire-ingest: error: fetching Kafka failed; see $ENGINES/fetch-kafka.log" >&2
        exit 1
    fi
    touch "$KAFKA_LIBS/.complete"
}

ensure_engines() {
    ensure_env dev
    ensure_flink_env
    ensure_prism
    ensure_kafka
}

# Debian's Chromium and ChromeDriver, which the browser tests of the run report and the story
# view drive (tests/view/test_browser.py); installed with apt-get where they are missing.
CHROMIUM="${WIRE_INGEST_CHROMIUM:-/usr/bin/chromium}"
CHROMEDRIVER="${WIRE_INGEST_CHROMEDRIVER:-/usr/bin/chromedriver}"

ensure_browser() {
    if [ -x "$CHROMIUM" ] && [ -x "$CHROMEDRIVER" ]; then
        return
    fi
    local sudo=()
    if [ "$(id -u)" != 0 ]; then
        if ! command -v sudo >/dev/null 2>&1; then
            echo "Skipping Chromium: install Debian's chromium and chromium-driver as root" >&2
            return
        fi
        sudo=(sudo)
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "Skipping Chromium: no apt-get here; set WIRE_INGEST_CHROMIUM and" \
            "WIRE_INGEST_CHROMEDRIVER to a Chromium and its ChromeDriver" >&2
        return
    fi
    echo "Installing Debian's chromium and chromium-driver (for the browser tests)"
    mkdir -p "$ENGINES"
    if ! { "${sudo[@]}" apt-get update -q &&
        DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q \
            --no-install-recommends chromium chromium-driver; } >"$ENGINES/apt-chromium.log" 2>&1; then
        tail -n 20 "$ENGINES/apt-chromium.log" >&2
        echo "wire-ingest: error: installing Chromium failed; see $ENGINES/apt-chromium.log" >&2
        exit 1
    fi
}
