#!/usr/bin/env bash
# Installs the Apache Spark releases the tests run against (scripts/spark-versions.json), each
# from PyPI (`pip install pyspark==V` brings Spark's jars, bin/spark-submit and bin/spark-class)
# into its own virtual environment under the cache directory, once: a second run reuses it.
# Prints each version's SPARK_HOME. Spark needs Java 17 at run time, nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${TSPARK_SPARK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tspark/spark}"
versions=$(node -e 'console.log(require("./scripts/spark-versions.json").pinned.join(" "))')
for v in ${@:-$versions}; do
  venv="$cache/pyspark-$v"
  home="$(echo "$venv"/lib/python3*/site-packages/pyspark)"
  if [ ! -x "$home/bin/spark-submit" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "pyspark==$v"
    home="$(echo "$venv"/lib/python3*/site-packages/pyspark)"
  fi
  echo "$home"
done
