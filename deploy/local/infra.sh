# shellcheck shell=bash
#
# Local infrastructure of the Strata stack: PostgreSQL, a single-node Kafka (KRaft) and
# Keycloak, all without Docker. This file is a library: sourcing it only defines functions.
#
# The caller sets, before sourcing:
#   STRATA_ROOT   repository root
#   STRATA_STATE  state directory (default: $STRATA_ROOT/.strata, ignored by git)
#
# Layout under $STRATA_STATE:
#   logs/<name>.log  pids/<name>.pid  secrets.env (mode 600)
#   postgresql/  kafka/  keycloak/   data of each component
#
# Public functions (progress goes to stderr, results to stdout):
#   strata_find_java        find a JDK >= 21, export STRATA_JAVA_HOME
#   strata_mvn ARGS...      run the Maven wrapper with that JDK, in batch mode
#   pg_ensure / pg_stop     PostgreSQL on 127.0.0.1:5432 with the services' roles and databases
#   kafka_ensure / kafka_stop             Kafka on 127.0.0.1:9092 with the topics of topics.txt
#   kafka_topic_create NAME PARTITIONS / kafka_topic_delete NAME    topics outside topics.txt
#   keycloak_ensure / keycloak_stop       Keycloak on 127.0.0.1:8180 with realm strata
#   keycloak_token USER [PASSWORD]        access token of a demo user (client strata-cli)
#   keycloak_client_secret CLIENT         secret of a confidential client
#   keycloak_service_token CLIENT         client-credentials access token of a confidential client
#   strata_services                       the services manifest (deploy/services.txt), a row each
#   strata_service_field NAME COLUMN      one column of a service's row
#   strata_realm_render TEMPLATE          a realm template with the manifest's service clients
#   proto_check             buf lint and buf breaking (against main) on proto/
#   infra_status            one line per component

# PostgreSQL and Keycloak addresses can be overridden from the environment; the defaults
# are what the services' %dev and %test profiles expect.
STRATA_PG_HOST="${STRATA_PG_HOST:-127.0.0.1}"
STRATA_PG_PORT="${STRATA_PG_PORT:-5432}"
# Every service owns a database strata_<svc> (and strata_<svc>_test) through role strata_<svc>:
# the database column of deploy/services.txt.
STRATA_PG_SERVICES="$(awk '!/^[[:space:]]*#/ && NF >= 7 && $5 != "-" {printf "%s ", $5}' \
  "$STRATA_ROOT/deploy/services.txt")"
STRATA_PG_SERVICES="${STRATA_PG_SERVICES% }"
# Local-only credential of every service role; never used outside this machine.
STRATA_PG_PASSWORD=strata

# Fixed: deploy/kafka/server.properties holds the same listeners.
STRATA_KAFKA_HOST=127.0.0.1
STRATA_KAFKA_PORT=9092

STRATA_KEYCLOAK_HOST="${STRATA_KEYCLOAK_HOST:-127.0.0.1}"
STRATA_KEYCLOAK_PORT="${STRATA_KEYCLOAK_PORT:-8180}"
STRATA_KEYCLOAK_REALM=strata
# The development realm's template; the production realm's is strata-realm-production.json.
STRATA_KEYCLOAK_REALM_TEMPLATE="$STRATA_ROOT/deploy/keycloak/strata-realm.json"

# ---------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------

_strata_say() { # COMPONENT MESSAGE...
  local component="$1"
  shift
  printf '%s: %s\n' "$component" "$*" >&2
}

# The state directory: data, logs, pids and secrets, readable by this user only.
_strata_state() {
  if [[ -z "${STRATA_ROOT:-}" ]]; then
    printf 'strata: STRATA_ROOT is not set (it must point at the repository root)\n' >&2
    return 1
  fi
  local state="${STRATA_STATE:-$STRATA_ROOT/.strata}"
  (umask 077 && mkdir -p "$state/logs" "$state/pids")
  # a state directory of an earlier version may have been created readable by others
  chmod go-rwx "$state" "$state/logs" 2>/dev/null || true
  printf '%s\n' "$state"
}

# ---------------------------------------------------------------------------------------
# The services manifest (deploy/services.txt)
# ---------------------------------------------------------------------------------------

# Prints the manifest's rows without comments: name http grpc mgmt database client start
strata_services() {
  awk '!/^[[:space:]]*#/ && NF >= 7' "$STRATA_ROOT/deploy/services.txt"
}

# One column of a service's row: http, grpc, mgmt, database, client or start.
strata_service_field() { # NAME COLUMN
  local column
  case "$2" in
  http) column=2 ;;
  grpc) column=3 ;;
  mgmt) column=4 ;;
  database) column=5 ;;
  client) column=6 ;;
  start) column=7 ;;
  heap) column=8 ;;
  *)
    _strata_say strata "no column $2 in deploy/services.txt"
    return 1
    ;;
  esac
  strata_services | awk -v name="$1" -v c="$column" '$1 == name {print $c; found = 1} END {exit !found}'
}

# ---------------------------------------------------------------------------------------
# The realm: templates in deploy/keycloak/, plus a client per service of the manifest
# ---------------------------------------------------------------------------------------

# A confidential client for a service's own calls to the others (client credentials).
_strata_realm_client() { # CLIENT_ID SERVICE
  local id="$1" var
  var="$(_strata_client_secret_var "$id")"
  cat <<EOF
    {
      "clientId": "$id",
      "name": "Strata $2",
      "description": "$2 calling the other services with client-credentials tokens (audience strata-services, role strata-service); from deploy/services.txt",
      "enabled": true,
      "protocol": "openid-connect",
      "publicClient": false,
      "clientAuthenticatorType": "client-secret",
      "secret": "\${$var}",
      "standardFlowEnabled": false,
      "implicitFlowEnabled": false,
      "directAccessGrantsEnabled": false,
      "serviceAccountsEnabled": true,
      "fullScopeAllowed": true,
      "protocolMappers": [
        {
          "name": "audience $id",
          "protocol": "openid-connect",
          "protocolMapper": "oidc-audience-mapper",
          "consentRequired": false,
          "config": {
            "included.client.audience": "$id",
            "access.token.claim": "true",
            "id.token.claim": "false",
            "introspection.token.claim": "true",
            "lightweight.claim": "false"
          }
        },
        {
          "name": "audience strata-services",
          "protocol": "openid-connect",
          "protocolMapper": "oidc-audience-mapper",
          "consentRequired": false,
          "config": {
            "included.custom.audience": "strata-services",
            "access.token.claim": "true",
            "id.token.claim": "false",
            "introspection.token.claim": "true",
            "lightweight.claim": "false"
          }
        }
      ]
    },
EOF
}

_strata_realm_service_account() { # CLIENT_ID
  cat <<EOF
    {
      "username": "service-account-$1",
      "enabled": true,
      "serviceAccountClientId": "$1",
      "realmRoles": [
        "strata-service"
      ]
    },
EOF
}

# Prints TEMPLATE with, at the head of its "clients" and "users" arrays, a confidential client
# strata-<name> and its service account for every service whose manifest row says client=yes.
strata_realm_render() { # TEMPLATE
  local template="$1" clients="" users="" name client
  [[ -r "$template" ]] || {
    _strata_say keycloak "no realm template $template"
    return 1
  }
  while read -r name _ _ _ _ client _; do
    [[ "$client" == yes ]] || continue
    clients+="$(_strata_realm_client "strata-$name" "$name")"$'\n'
    users+="$(_strata_realm_service_account "strata-$name")"$'\n'
  done < <(strata_services)
  # an entry is followed by a comma, unless it ends up last in its array
  STRATA_REALM_CLIENTS="$clients" STRATA_REALM_USERS="$users" awk '
    {
      if (pending != "") {
        if ($0 ~ /^  \]/) sub(/,\n$/, "\n", pending)
        printf "%s", pending
        pending = ""
      }
      print
      if ($0 ~ /^  "clients": \[$/) pending = ENVIRON["STRATA_REALM_CLIENTS"]
      if ($0 ~ /^  "users": \[$/) pending = ENVIRON["STRATA_REALM_USERS"]
    }' "$template"
}

# The secrets a rendered realm takes from the environment: ${STRATA_<CLIENT>_CLIENT_SECRET}.
_strata_realm_secret_vars() { # RENDERED_REALM_FILE
  grep -o '\${STRATA_[A-Z0-9_]*_CLIENT_SECRET}' "$1" | tr -d '${}' | sort -u
}

# Runs a command as root (directly, or through sudo when not root).
_strata_as_root() {
  # system packages and clusters get the system's usual modes, not the state directory's 077
  if [[ "$(id -u)" -eq 0 ]]; then
    (umask 022 && "$@")
  elif command -v sudo >/dev/null 2>&1; then
    (umask 022 && sudo "$@")
  else
    printf 'strata: this step needs root (or sudo): %s\n' "$*" >&2
    return 1
  fi
}

# Runs a command as the postgres OS user, from / so it never complains about the cwd.
_strata_as_postgres() {
  if [[ "$(id -u)" -eq 0 ]]; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && sudo -n -u postgres -- "$@")
  fi
}

_strata_apt_updated=""
_strata_apt_install() { # PACKAGE...
  if ! command -v apt-get >/dev/null 2>&1; then
    printf 'strata: please install %s (no apt-get on this machine)\n' "$*" >&2
    return 1
  fi
  _strata_say apt "installing $*"
  if [[ -z "$_strata_apt_updated" ]]; then
    _strata_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || return 1
    _strata_apt_updated=1
  fi
  _strata_as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "$@" >&2
}

# Makes sure a command exists, installing its Debian package if needed.
_strata_need() { # COMMAND PACKAGE
  command -v "$1" >/dev/null 2>&1 || _strata_apt_install "$2"
}

_strata_port_open() { # HOST PORT
  # shellcheck disable=SC2016 # expanded by the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
}

# Value of <NAME>...</NAME> in the parent pom (the only place versions live).
_strata_pom_property() { # NAME
  sed -n "s:.*<$1>\([^<]*\)</$1>.*:\1:p" "$STRATA_ROOT/pom.xml" | head -n 1
}

# The pid file holds the id of a process started by _strata_spawn: it leads its own
# session and process group, so the whole tree can be signalled at once.
_strata_pid() { # PIDFILE
  [[ -s "$1" ]] && tr -dc '0-9' <"$1"
}

# True when the process group recorded in PIDFILE still has members. When its leader is
# still alive, it must also be the program we started (PATTERN in its command line), so a
# recycled pid is never mistaken for ours.
_strata_alive() { # PIDFILE PATTERN
  local pid
  pid="$(_strata_pid "$1")" || return 1
  [[ -n "$pid" ]] || return 1
  kill -0 -- "-$pid" 2>/dev/null || return 1
  if [[ -r "/proc/$pid/cmdline" ]]; then
    [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" == *"$2"* ]]
  fi
}

# Starts COMMAND in the background in a new session (immune to the terminal's hangup),
# output appended to LOGFILE, and records its pid (= process group id) in PIDFILE.
_strata_spawn() { # PIDFILE LOGFILE COMMAND...
  local pidfile="$1" logfile="$2"
  shift 2
  rm -f "$pidfile"
  printf '\n===== %s starting: %s\n' "$(date '+%F %T')" "$*" >>"$logfile"
  # shellcheck disable=SC2016 # expanded by the inner bash
  setsid bash -c 'echo "$$" >"$0"; exec "$@"' "$pidfile" "$@" >>"$logfile" 2>&1 </dev/null &
  disown 2>/dev/null || true
  local i
  for ((i = 0; i < 50; i++)); do
    [[ -s "$pidfile" ]] && return 0
    sleep 0.1
  done
  printf 'strata: %s did not start (see %s)\n' "$1" "$logfile" >&2
  return 1
}

# SIGTERM to the process group of PIDFILE, SIGKILL after SECONDS.
_strata_stop_group() { # COMPONENT PIDFILE SECONDS
  local component="$1" pidfile="$2" seconds="$3" pid i
  pid="$(_strata_pid "$pidfile")" || true
  if [[ -z "$pid" ]] || ! kill -0 -- "-$pid" 2>/dev/null; then
    rm -f "$pidfile"
    return 0
  fi
  _strata_say "$component" "stopping (pid $pid)"
  kill -TERM -- "-$pid" 2>/dev/null || true
  for ((i = 0; i < seconds * 10; i++)); do
    kill -0 -- "-$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 -- "-$pid" 2>/dev/null; then
    _strata_say "$component" "still running after ${seconds}s; killing it"
    kill -KILL -- "-$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$pidfile"
  _strata_say "$component" "stopped"
}

_strata_log_tail() { # COMPONENT LOGFILE
  _strata_say "$1" "last lines of $2:"
  tail -n 40 "$2" >&2 2>/dev/null || true
}

# ---------------------------------------------------------------------------------------
# Java and Maven
# ---------------------------------------------------------------------------------------

# Prints the feature version (17, 21, 25...) of the java in JAVA_HOME-like directory $1.
_strata_java_major() { # JDK_HOME
  local home="$1" version=""
  [[ -x "$home/bin/java" ]] || return 1
  if [[ -r "$home/release" ]]; then
    version="$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")"
  fi
  if [[ -z "$version" ]]; then
    version="$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)"
  fi
  [[ -n "$version" ]] || return 1
  version="${version#1.}" # 1.8.0 -> 8.0
  printf '%s\n' "${version%%[.+-]*}"
}

# A JDK (not only a runtime: builds need javac) of version >= 21.
_strata_is_jdk21() { # JDK_HOME
  local major
  [[ -x "$1/bin/javac" ]] || return 1
  major="$(_strata_java_major "$1")" || return 1
  [[ "$major" =~ ^[0-9]+$ ]] && ((major >= 21))
}

strata_find_java() {
  local candidate best="" best_major=0 major
  if [[ -n "${JAVA_HOME:-}" ]] && _strata_is_jdk21 "$JAVA_HOME"; then
    best="$JAVA_HOME"
  else
    for candidate in /usr/lib/jvm/*; do
      if [[ ! -d "$candidate" ]] || ! _strata_is_jdk21 "$candidate"; then
        continue
      fi
      major="$(_strata_java_major "$candidate")"
      if ((major > best_major)); then
        best="$candidate"
        best_major="$major"
      fi
    done
  fi
  if [[ -z "$best" ]]; then
    cat >&2 <<'EOF'
java: no JDK 21 or newer found (checked $JAVA_HOME and /usr/lib/jvm/*).
java: Strata builds with, and Keycloak needs, a JDK >= 21. Install one, e.g.
java:   Eclipse Temurin 21 or 25 (https://adoptium.net, apt repository packages.adoptium.net), or
java:   openjdk-21-jdk (Debian 13, Ubuntu 24.04; Debian 12 has no JDK 21 package),
java: then set JAVA_HOME to it (a JDK under /usr/lib/jvm is found without JAVA_HOME).
EOF
    return 1
  fi
  export STRATA_JAVA_HOME="$best"
  _strata_say java "using $STRATA_JAVA_HOME (Java $(_strata_java_major "$best"))"
}

strata_mvn() {
  [[ -n "${STRATA_JAVA_HOME:-}" ]] || strata_find_java || return 1
  local args=(-B) maven_opts="${MAVEN_OPTS:-}"
  [[ -t 1 ]] || args+=(-Dstyle.color=never)
  # Maven's Guice uses sun.misc.Unsafe; JDK 24+ warns about it on every run unless allowed.
  if (($(_strata_java_major "$STRATA_JAVA_HOME") >= 24)) &&
    [[ "$maven_opts" != *sun-misc-unsafe-memory-access* ]]; then
    maven_opts="${maven_opts:+$maven_opts }--sun-misc-unsafe-memory-access=allow"
  fi
  _strata_say mvn "$*"
  JAVA_HOME="$STRATA_JAVA_HOME" MAVEN_OPTS="$maven_opts" "$STRATA_ROOT/mvnw" "${args[@]}" "$@"
}

# ---------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------

_strata_pg_ready() {
  pg_isready -q -h "$STRATA_PG_HOST" -p "$STRATA_PG_PORT" >/dev/null 2>&1
}

# Starts (creating it first if needed) the Debian cluster on port 5432.
_strata_pg_start_debian_cluster() { # MARKER_FILE
  local marker="$1" version name i
  if ! command -v pg_ctlcluster >/dev/null 2>&1 ||
    ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
    _strata_apt_install postgresql || return 1
  fi
  read -r version name < <(pg_lsclusters -h 2>/dev/null | awk -v port="$STRATA_PG_PORT" '$3 == port {print $1, $2; exit}') || true
  if [[ -z "${version:-}" ]]; then
    version="$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)"
    name=main
    if pg_lsclusters -h 2>/dev/null | awk -v v="$version" '$1 == v && $2 == "main" {found = 1} END {exit !found}'; then
      name=strata # "main" exists on another port: leave it alone
    fi
    _strata_say postgresql "creating cluster $version/$name on port $STRATA_PG_PORT"
    _strata_as_root pg_createcluster --port "$STRATA_PG_PORT" "$version" "$name" >/dev/null || return 1
  fi
  # An install may already have started it.
  if ! _strata_pg_ready; then
    _strata_say postgresql "starting cluster $version/$name"
    _strata_as_root pg_ctlcluster "$version" "$name" start >&2 || return 1
  fi
  printf '%s %s\n' "$version" "$name" >"$marker"
  for ((i = 0; i < 300; i++)); do
    _strata_pg_ready && return 0
    sleep 0.1
  done
  _strata_say postgresql "cluster $version/$name does not answer on $STRATA_PG_HOST:$STRATA_PG_PORT"
  _strata_log_tail postgresql "/var/log/postgresql/postgresql-$version-$name.log"
  return 1
}

_strata_pg_databases() {
  local svc
  for svc in $STRATA_PG_SERVICES; do
    printf 'strata_%s strata_%s\nstrata_%s strata_%s_test\n' "$svc" "$svc" "$svc" "$svc"
  done
}

# True when every service role can log in over TCP with its password.
_strata_pg_check_logins() {
  local role db
  while read -r role db; do
    PGPASSWORD="$STRATA_PG_PASSWORD" PGCONNECT_TIMEOUT=5 psql -X -q -w -h "$STRATA_PG_HOST" \
      -p "$STRATA_PG_PORT" -U "$role" -d "$db" -Atc 'select 1' >/dev/null 2>&1 || {
      printf '%s/%s\n' "$role" "$db"
      return 1
    }
  done < <(_strata_pg_databases)
}

# Roles strata_<svc> (password re-set every time) and databases strata_<svc>[_test].
_strata_pg_provision() {
  local svc db sql=""
  for svc in $STRATA_PG_SERVICES; do
    sql+="SELECT 'CREATE ROLE strata_$svc LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'strata_$svc')"$'\\gexec\n'
    sql+="ALTER ROLE strata_$svc WITH LOGIN PASSWORD '$STRATA_PG_PASSWORD';"$'\n'
    for db in "strata_$svc" "strata_${svc}_test"; do
      sql+="SELECT 'CREATE DATABASE $db OWNER strata_$svc' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$db')"$'\\gexec\n'
      sql+="ALTER DATABASE $db OWNER TO strata_$svc;"$'\n'
    done
  done
  _strata_as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$STRATA_PG_PORT" -d postgres <<<"$sql" >/dev/null
}

_strata_pg_explain_needs() {
  local svc
  cat >&2 <<EOF
postgresql: a server answers on $STRATA_PG_HOST:$STRATA_PG_PORT, but it is not a Debian cluster that
postgresql: this machine's postgres user can administer, and the Strata roles are not all usable.
postgresql: Either stop that server (then the Debian cluster is used), or create, as a superuser:
EOF
  for svc in $STRATA_PG_SERVICES; do
    printf '    CREATE ROLE strata_%s LOGIN PASSWORD '\''%s'\'';\n' "$svc" "$STRATA_PG_PASSWORD" >&2
    printf '    CREATE DATABASE strata_%s OWNER strata_%s;\n' "$svc" "$svc" >&2
    printf '    CREATE DATABASE strata_%s_test OWNER strata_%s;\n' "$svc" "$svc" >&2
  done
  printf 'postgresql: and allow password logins from %s (pg_hba.conf: host all all %s/32 scram-sha-256).\n' \
    "$STRATA_PG_HOST" "$STRATA_PG_HOST" >&2
}

pg_ensure() {
  local state marker failed
  state="$(_strata_state)" || return 1
  mkdir -p "$state/postgresql"
  marker="$state/postgresql/started-by-strata"
  _strata_need pg_isready postgresql-client || return 1

  if _strata_pg_ready; then
    if [[ -s "$marker" ]]; then
      _strata_say postgresql "running on $STRATA_PG_HOST:$STRATA_PG_PORT (cluster $(tr " " / <"$marker"), started by strata)"
    else
      _strata_say postgresql "a server already answers on $STRATA_PG_HOST:$STRATA_PG_PORT; using it"
    fi
  else
    _strata_pg_start_debian_cluster "$marker" || return 1
    _strata_say postgresql "running on $STRATA_PG_HOST:$STRATA_PG_PORT (cluster $(tr " " / <"$marker"), started by strata)"
  fi

  _strata_say postgresql "ensuring roles and databases for: $STRATA_PG_SERVICES"
  if ! _strata_as_postgres psql -X -q -p "$STRATA_PG_PORT" -d postgres -Atc 'select 1' >/dev/null 2>&1; then
    if _strata_pg_check_logins >/dev/null; then
      _strata_say postgresql "cannot administer this server, but every strata role and database is usable"
      return 0
    fi
    _strata_pg_explain_needs
    return 1
  fi
  _strata_pg_provision || return 1
  if ! failed="$(_strata_pg_check_logins)"; then
    _strata_say postgresql "password login over TCP fails for $failed."
    _strata_say postgresql "pg_hba.conf must allow it: host all all $STRATA_PG_HOST/32 scram-sha-256"
    return 1
  fi
  _strata_say postgresql "ready: postgresql://strata_<service>@$STRATA_PG_HOST:$STRATA_PG_PORT/strata_<service>[_test] (local password in deploy/README.md)"
}

pg_stop() {
  local state marker version name
  state="$(_strata_state)" || return 1
  marker="$state/postgresql/started-by-strata"
  if [[ ! -s "$marker" ]]; then
    _strata_say postgresql "not started by strata; leaving it alone"
    return 0
  fi
  read -r version name <"$marker"
  _strata_say postgresql "stopping cluster $version/$name"
  _strata_as_root pg_ctlcluster "$version" "$name" stop >&2 || return 1
  rm -f "$marker"
  _strata_say postgresql "stopped"
}

# ---------------------------------------------------------------------------------------
# Kafka
# ---------------------------------------------------------------------------------------

# Java for Kafka: the JDK >= 21 when strata_find_java found one, else any java >= 17 on the PATH.
_strata_kafka_java() {
  if [[ -n "${STRATA_JAVA_HOME:-}" ]]; then
    printf '%s\n' "$STRATA_JAVA_HOME/bin/java"
    return 0
  fi
  local java major
  java="$(command -v java)" || {
    _strata_say kafka "no java found: install a JDK >= 17 (21 or newer preferred)"
    return 1
  }
  major="$("$java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)"
  if [[ -z "$major" ]] || ((major < 17)); then
    _strata_say kafka "$java is Java $major; Kafka needs Java >= 17"
    return 1
  fi
  printf '%s\n' "$java"
}

# Copies the broker's jars into $STATE/kafka/lib once per version of deploy/kafka/pom.xml
# (and of the parent's version properties, which decide what that pom resolves to).
_strata_kafka_lib() { # STATE RUNNING(0/1)
  local state="$1" running="$2" lib="$1/kafka/lib" stamp="$1/kafka/lib.stamp" want
  want="$( {
    cat "$STRATA_ROOT/deploy/kafka/pom.xml"
    printf '%s\n' "$(_strata_pom_property kafka.version)" "$(_strata_pom_property log4j2.version)" \
      "$(_strata_pom_property quarkus.platform.version)"
  } | sha256sum | awk '{print $1}')"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && compgen -G "$lib/*.jar" >/dev/null; then
    return 0
  fi
  if [[ "$running" == 1 ]] && compgen -G "$lib/*.jar" >/dev/null; then
    _strata_say kafka "deploy/kafka/pom.xml changed; restart Kafka (kafka_stop) to use the new jars"
    return 0
  fi
  _strata_say kafka "fetching Kafka $(_strata_pom_property kafka.version) jars from Maven Central"
  rm -rf "$lib.new"
  strata_mvn -q -f "$STRATA_ROOT/deploy/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$lib.new" >&2 || return 1
  rm -rf "$lib"
  mv "$lib.new" "$lib"
  printf '%s\n' "$want" >"$stamp"
  _strata_say kafka "$(find "$lib" -name '*.jar' | wc -l) jars in $lib"
}

# Runs a Kafka command-line class (short-lived JVM tuned for start-up time).
_strata_kafka_tool() { # STATE CLASS ARGS...
  local state="$1" class="$2" java
  shift 2
  java="$(_strata_kafka_java)" || return 1
  "$java" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto \
    -Dlog4j2.configurationFile="$STRATA_ROOT/deploy/kafka/log4j2-tools.properties" \
    -cp "$state/kafka/lib/*" "$class" "$@"
}

# True when a broker of the cluster is registered and unfenced (ClusterTool lists it so).
_strata_kafka_unfenced() { # STATE
  local state="$1" java
  java="$(_strata_kafka_java)" || return 1
  timeout 20 "$java" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dlog4j2.configurationFile="$STRATA_ROOT/deploy/kafka/log4j2-tools.properties" \
    -cp "$state/kafka/lib/*" org.apache.kafka.tools.ClusterTool list-endpoints \
    --bootstrap-server "$STRATA_KAFKA_HOST:$STRATA_KAFKA_PORT" 2>/dev/null |
    awk '$5 == "unfenced" && $6 == "broker" {found = 1} END {exit !found}'
}

_strata_kafka_topic_list() { # STATE
  local state="$1" java
  java="$(_strata_kafka_java)" || return 1
  timeout 20 "$java" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dlog4j2.configurationFile="$STRATA_ROOT/deploy/kafka/log4j2-tools.properties" \
    -cp "$state/kafka/lib/*" org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "$STRATA_KAFKA_HOST:$STRATA_KAFKA_PORT" --list
}

# Creates the topics of deploy/kafka/topics.txt that do not exist yet.
_strata_kafka_create_topics() { # STATE EXISTING_TOPICS
  local state="$1" existing="$2" name partitions rest created=0
  while read -r name partitions rest; do
    [[ -z "$name" || "$name" == \#* ]] && continue
    if grep -qxF -- "$name" <<<"$existing"; then
      continue
    fi
    _strata_say kafka "creating topic $name ($partitions partitions)"
    _strata_kafka_tool "$state" org.apache.kafka.tools.TopicCommand \
      --bootstrap-server "$STRATA_KAFKA_HOST:$STRATA_KAFKA_PORT" --create --if-not-exists \
      --topic "$name" --partitions "$partitions" --replication-factor 1 >/dev/null || return 1
    created=$((created + 1))
  done <"$STRATA_ROOT/deploy/kafka/topics.txt"
  _strata_say kafka "topics ready ($created created, the others already existed)"
}

# A topic outside topics.txt (benchmarks, experiments), created when missing.
kafka_topic_create() { # NAME PARTITIONS
  local state
  state="$(_strata_state)" || return 1
  _strata_kafka_tool "$state" org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "$STRATA_KAFKA_HOST:$STRATA_KAFKA_PORT" --create --if-not-exists \
    --topic "$1" --partitions "$2" --replication-factor 1 >/dev/null
}

kafka_topic_delete() { # NAME
  local state
  state="$(_strata_state)" || return 1
  _strata_kafka_tool "$state" org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "$STRATA_KAFKA_HOST:$STRATA_KAFKA_PORT" --delete --if-exists --topic "$1" >/dev/null
}

kafka_ensure() {
  local state dir pidfile log java running=0 topics deadline
  state="$(_strata_state)" || return 1
  dir="$state/kafka"
  pidfile="$state/pids/kafka.pid"
  log="$state/logs/kafka.log"
  mkdir -p "$dir"
  # Kafka itself runs on Java 17 too, but the jars are fetched with the build's JDK.
  [[ -n "${STRATA_JAVA_HOME:-}" ]] || strata_find_java || true

  if _strata_alive "$pidfile" kafka.Kafka; then
    running=1
  elif _strata_port_open "$STRATA_KAFKA_HOST" "$STRATA_KAFKA_PORT"; then
    running=2
    _strata_say kafka "something already answers on $STRATA_KAFKA_HOST:$STRATA_KAFKA_PORT; using it"
  else
    rm -f "$pidfile"
  fi
  _strata_kafka_lib "$state" "$([[ $running != 0 ]] && echo 1 || echo 0)" || return 1

  if [[ $running == 0 ]]; then
    java="$(_strata_kafka_java)" || return 1
    # Runtime copy of the broker config, with the data directory of this state dir.
    {
      cat "$STRATA_ROOT/deploy/kafka/server.properties"
      printf '\n# added by deploy/local/infra.sh\nlog.dirs=%s\n' "$dir/data"
    } >"$dir/server.properties"
    if [[ ! -s "$dir/cluster.id" ]]; then
      _strata_kafka_tool "$state" kafka.tools.StorageTool random-uuid >"$dir/cluster.id" || return 1
    fi
    if [[ ! -f "$dir/data/meta.properties" ]]; then
      _strata_say kafka "formatting storage (cluster id $(cat "$dir/cluster.id"))"
      _strata_kafka_tool "$state" kafka.tools.StorageTool format --ignore-formatted \
        -t "$(cat "$dir/cluster.id")" -c "$dir/server.properties" >/dev/null || return 1
    fi
    _strata_say kafka "starting broker on $STRATA_KAFKA_HOST:$STRATA_KAFKA_PORT (java: $java, log: $log)"
    _strata_spawn "$pidfile" "$log" "$java" -Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
      -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
      -Dlog4j2.configurationFile="$STRATA_ROOT/deploy/kafka/log4j2.properties" -Dstrata.kafka.log="$log" \
      -cp "$dir/lib/*" kafka.Kafka "$dir/server.properties" || return 1
    running=1
  fi

  # Ready = the broker is registered with the controller and unfenced (an open port, or even a
  # topic listing, comes earlier: topics created before then fail with "all brokers are fenced").
  deadline=$((SECONDS + ${STRATA_KAFKA_TIMEOUT:-60}))
  while :; do
    if [[ $running == 1 ]] && ! _strata_alive "$pidfile" kafka.Kafka; then
      _strata_say kafka "the broker exited during start-up"
      _strata_log_tail kafka "$log"
      return 1
    fi
    if _strata_port_open "$STRATA_KAFKA_HOST" "$STRATA_KAFKA_PORT" && _strata_kafka_unfenced "$state" &&
      topics="$(_strata_kafka_topic_list "$state" 2>/dev/null)"; then
      break
    fi
    if ((SECONDS >= deadline)); then
      _strata_say kafka "no answer on $STRATA_KAFKA_HOST:$STRATA_KAFKA_PORT after ${STRATA_KAFKA_TIMEOUT:-60}s"
      _strata_log_tail kafka "$log"
      return 1
    fi
    sleep 0.5
  done
  if [[ $running == 1 ]]; then
    _strata_say kafka "running (pid $(_strata_pid "$pidfile")) on $STRATA_KAFKA_HOST:$STRATA_KAFKA_PORT"
  fi
  _strata_kafka_create_topics "$state" "$topics"
}

kafka_stop() {
  local state pidfile
  state="$(_strata_state)" || return 1
  pidfile="$state/pids/kafka.pid"
  if ! _strata_alive "$pidfile" kafka.Kafka; then
    rm -f "$pidfile"
    _strata_say kafka "not running (or not started by strata)"
    return 0
  fi
  # A controlled shutdown of a combined broker+controller takes a few seconds.
  _strata_stop_group kafka "$pidfile" 30
}

# ---------------------------------------------------------------------------------------
# Keycloak
# ---------------------------------------------------------------------------------------

_strata_keycloak_url() {
  printf 'http://%s:%s\n' "$STRATA_KEYCLOAK_HOST" "$STRATA_KEYCLOAK_PORT"
}

# HTTP status of the realm's discovery document (000 when nothing answers).
_strata_keycloak_realm_status() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
    "$(_strata_keycloak_url)/realms/$STRATA_KEYCLOAK_REALM/.well-known/openid-configuration" 2>/dev/null || true
}

# Name of the secrets.env variable of a client: strata-partner-demo -> STRATA_PARTNER_DEMO_CLIENT_SECRET
_strata_client_secret_var() { # CLIENT
  local upper="${1^^}"
  printf '%s_CLIENT_SECRET\n' "${upper//[^A-Z0-9]/_}"
}

_strata_random_secret() {
  head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'
}

# The development realm as Keycloak imports it: the template with the manifest's clients.
_strata_realm_file() { # STATE
  printf '%s\n' "$1/keycloak/strata-realm.json"
}

# Renders the development realm into the state directory.
_strata_realm_prepare() { # STATE
  local file
  file="$(_strata_realm_file "$1")"
  (umask 077 && mkdir -p "$(dirname "$file")")
  strata_realm_render "$STRATA_KEYCLOAK_REALM_TEMPLATE" >"$file.new" || return 1
  mv "$file.new" "$file"
}

# Generates, once, the Keycloak admin password and the secret of every confidential client of the
# rendered realm. Variables missing from an older file are added; existing values never change.
_strata_secrets_ensure() { # STATE
  local file="$1/secrets.env" var
  (umask 077 && touch "$file")
  chmod 600 "$file"
  for var in KC_BOOTSTRAP_ADMIN_PASSWORD $(_strata_realm_secret_vars "$(_strata_realm_file "$1")"); do
    if ! grep -q "^$var=" "$file"; then
      printf '%s=%s\n' "$var" "$(_strata_random_secret)" >>"$file"
    fi
  done
}

_strata_secret() { # STATE VARIABLE
  [[ -r "$1/secrets.env" ]] || return 0
  sed -n "s/^$2=//p" "$1/secrets.env" | head -n 1
}

# What the imported realm depends on: the rendered realm and the generated secrets.
_strata_keycloak_realm_checksum() { # STATE
  cat "$(_strata_realm_file "$1")" "$1/secrets.env" 2>/dev/null | sha256sum | awk '{print $1}'
}

# Downloads the Keycloak distribution and unpacks it once; prints its home directory.
_strata_keycloak_install() { # STATE
  local state="$1" version home
  version="$(_strata_pom_property keycloak.version)"
  [[ -n "$version" ]] || {
    _strata_say keycloak "no keycloak.version property in $STRATA_ROOT/pom.xml"
    return 1
  }
  home="$state/keycloak/keycloak-$version"
  if [[ ! -x "$home/bin/kc.sh" ]]; then
    _strata_need unzip unzip || return 1
    _strata_say keycloak "fetching Keycloak $version from Maven Central"
    mkdir -p "$state/keycloak/download"
    strata_mvn -q -N -f "$STRATA_ROOT/pom.xml" dependency:copy \
      -Dartifact="org.keycloak:keycloak-quarkus-dist:$version:zip" \
      -DoutputDirectory="$state/keycloak/download" >&2 || return 1
    _strata_say keycloak "unpacking into $state/keycloak"
    rm -rf "$home"
    unzip -q -o "$state/keycloak/download/keycloak-quarkus-dist-$version.zip" -d "$state/keycloak" || return 1
    # The zip stays in the local Maven repository; no need for a second copy.
    rm -rf "$state/keycloak/download"
  fi
  printf '%s\n' "$home"
}

keycloak_ensure() {
  local state home pidfile log status stamp want deadline started var
  state="$(_strata_state)" || return 1
  pidfile="$state/pids/keycloak.pid"
  log="$state/logs/keycloak.log"
  _strata_need curl curl || return 1

  _strata_realm_prepare "$state" || return 1
  status="$(_strata_keycloak_realm_status)"
  if [[ "$status" == 200 ]]; then
    if _strata_alive "$pidfile" keycloak; then
      _strata_say keycloak "running (pid $(_strata_pid "$pidfile")) on $(_strata_keycloak_url), realm $STRATA_KEYCLOAK_REALM"
      if [[ "$(_strata_keycloak_realm_checksum "$state")" != "$(cat "$state/keycloak/realm.stamp" 2>/dev/null)" ]]; then
        _strata_say keycloak "the realm (deploy/keycloak/strata-realm.json, deploy/services.txt) changed since it started: keycloak_stop, then keycloak_ensure, to re-import it"
      fi
    else
      _strata_say keycloak "something already answers on $(_strata_keycloak_url) with realm $STRATA_KEYCLOAK_REALM; using it"
    fi
    return 0
  fi
  if ! _strata_alive "$pidfile" keycloak; then
    rm -f "$pidfile"
    if _strata_port_open "$STRATA_KEYCLOAK_HOST" "$STRATA_KEYCLOAK_PORT"; then
      _strata_say keycloak "something answers on $(_strata_keycloak_url) without realm $STRATA_KEYCLOAK_REALM (HTTP $status);"
      _strata_say keycloak "stop it, or import deploy/keycloak/strata-realm.json into it"
      return 1
    fi
  fi

  strata_find_java || {
    _strata_say keycloak "Keycloak needs a JDK >= 21"
    return 1
  }
  _strata_secrets_ensure "$state"

  if ! _strata_alive "$pidfile" keycloak; then
    home="$(_strata_keycloak_install "$state")" || return 1
    mkdir -p "$home/data/import"
    cp "$(_strata_realm_file "$state")" "$home/data/import/strata-realm.json"
    # The import skips a realm that already exists, so a changed realm file (or changed
    # secrets) starts from a fresh dev database; the realm is then imported again.
    stamp="$state/keycloak/realm.stamp"
    want="$(_strata_keycloak_realm_checksum "$state")"
    if [[ -d "$home/data/h2" && "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
      _strata_say keycloak "realm file changed: resetting the dev database so the realm is imported again"
      rm -rf "$home/data/h2"
    fi
    printf '%s\n' "$want" >"$stamp"

    _strata_say keycloak "starting on $(_strata_keycloak_url) (log: $log; ~1 min the first time, then ~10 s)"
    # Secrets go through the environment of a subshell, never the command line (visible in
    # ps and in the log). The realm file holds placeholders, ${STRATA_<CLIENT>_CLIENT_SECRET},
    # which the import replaces from the environment, so secrets stay out of git.
    (
      for var in $(_strata_realm_secret_vars "$(_strata_realm_file "$state")"); do
        export "$var=$(_strata_secret "$state" "$var")"
      done
      export KC_BOOTSTRAP_ADMIN_USERNAME=admin
      KC_BOOTSTRAP_ADMIN_PASSWORD="$(_strata_secret "$state" KC_BOOTSTRAP_ADMIN_PASSWORD)"
      export KC_BOOTSTRAP_ADMIN_PASSWORD
      export JAVA_HOME="$STRATA_JAVA_HOME"
      export JAVA_OPTS_KC_HEAP="${STRATA_KEYCLOAK_HEAP:--Xms64m -Xmx512m}"
      _strata_spawn "$pidfile" "$log" "$home/bin/kc.sh" start-dev \
        --http-host="$STRATA_KEYCLOAK_HOST" --http-port="$STRATA_KEYCLOAK_PORT" \
        --hostname="$(_strata_keycloak_url)" --import-realm
    ) || return 1
  else
    _strata_say keycloak "already starting (pid $(_strata_pid "$pidfile")); waiting for it"
  fi

  started=$SECONDS
  deadline=$((SECONDS + ${STRATA_KEYCLOAK_TIMEOUT:-180}))
  while [[ "$(_strata_keycloak_realm_status)" != 200 ]]; do
    if ! _strata_alive "$pidfile" keycloak; then
      _strata_say keycloak "Keycloak exited during start-up"
      _strata_log_tail keycloak "$log"
      rm -f "$pidfile"
      return 1
    fi
    if ((SECONDS >= deadline)); then
      _strata_say keycloak "realm $STRATA_KEYCLOAK_REALM not served after ${STRATA_KEYCLOAK_TIMEOUT:-180}s; stopping it"
      _strata_log_tail keycloak "$log"
      _strata_stop_group keycloak "$pidfile" 30
      return 1
    fi
    sleep 1
  done
  _strata_say keycloak "ready after $((SECONDS - started))s: $(_strata_keycloak_url)/realms/$STRATA_KEYCLOAK_REALM"
  _strata_say keycloak "admin console: $(_strata_keycloak_url)/admin (user admin, password KC_BOOTSTRAP_ADMIN_PASSWORD in $state/secrets.env)"
}

keycloak_stop() {
  local state pidfile
  state="$(_strata_state)" || return 1
  pidfile="$state/pids/keycloak.pid"
  if ! _strata_alive "$pidfile" keycloak; then
    rm -f "$pidfile"
    _strata_say keycloak "not running (or not started by strata)"
    return 0
  fi
  _strata_stop_group keycloak "$pidfile" 30
}

# Posts a token request; prints the access token, or explains why there is none.
_strata_keycloak_token_request() { # WHAT CURL_DATA_ARGS...
  local what="$1" response token error
  shift
  if ! response="$(curl -sS --max-time 15 -X POST \
    "$(_strata_keycloak_url)/realms/$STRATA_KEYCLOAK_REALM/protocol/openid-connect/token" "$@" 2>&1)"; then
    _strata_say keycloak "no answer from $(_strata_keycloak_url) ($response); start it first (keycloak_ensure)"
    return 1
  fi
  # access_token is a JWT: [A-Za-z0-9._-] only, so a plain pattern extracts it from the JSON.
  token="$(sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p' <<<"$response")"
  if [[ -z "$token" ]]; then
    error="$(sed -n 's/.*"error_description" *: *"\([^"]*\)".*/\1/p' <<<"$response")"
    [[ -n "$error" ]] || error="$(sed -n 's/.*"error" *: *"\([^"]*\)".*/\1/p' <<<"$response")"
    _strata_say keycloak "no token for $what: ${error:-$response}"
    return 1
  fi
  printf '%s\n' "$token"
}

keycloak_token() { # USER [PASSWORD]
  if [[ $# -lt 1 || -z "$1" ]]; then
    _strata_say keycloak "usage: keycloak_token USER [PASSWORD]  (demo users: alice mia ana vic bob, password strata)"
    return 1
  fi
  _strata_need curl curl || return 1
  _strata_say keycloak "password grant for user $1 (client strata-cli)"
  _strata_keycloak_token_request "user $1" -d grant_type=password -d client_id=strata-cli \
    --data-urlencode "username=$1" --data-urlencode password@<(printf '%s' "${2:-strata}")
}

keycloak_client_secret() { # CLIENT
  local state var secret clients
  state="$(_strata_state)" || return 1
  clients="$(_strata_realm_secret_vars "$(_strata_realm_file "$state")" 2>/dev/null | tr '\n' ' ')"
  var="$(_strata_client_secret_var "${1:-}")"
  if [[ $# -lt 1 || " $clients " != *" $var "* ]]; then
    _strata_say keycloak "usage: keycloak_client_secret CLIENT  (a confidential client of the realm: $clients)"
    return 1
  fi
  secret="$(_strata_secret "$state" "$var")"
  if [[ -z "$secret" ]]; then
    _strata_say keycloak "no secret for $1 yet: keycloak_ensure generates it"
    return 1
  fi
  _strata_say keycloak "secret of client $1 ($var in $state/secrets.env)"
  printf '%s\n' "$secret"
}

keycloak_service_token() { # CLIENT
  local secret
  secret="$(keycloak_client_secret "$@" 2>/dev/null)" || {
    keycloak_client_secret "$@" >/dev/null
    return 1
  }
  _strata_need curl curl || return 1
  _strata_say keycloak "client-credentials grant for client $1"
  # the secret reaches curl through a pipe, never its command line (ps)
  _strata_keycloak_token_request "client $1" -d grant_type=client_credentials \
    --data-urlencode "client_id=$1" --data-urlencode client_secret@<(printf '%s' "$secret")
}

# ---------------------------------------------------------------------------------------
# The contracts: buf lint and buf breaking on proto/
# ---------------------------------------------------------------------------------------

# buf from the npm registry, installed once per version under the state directory; prints its path.
_strata_buf() { # STATE
  local state="$1" version dir
  version="$(_strata_pom_property buf.version)"
  dir="$state/buf/$version"
  if [[ ! -x "$dir/node_modules/.bin/buf" ]]; then
    _strata_need npm npm || return 1
    _strata_say buf "installing @bufbuild/buf $version from the npm registry"
    npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "@bufbuild/buf@$version" >&2 || return 1
  fi
  printf '%s\n' "$dir/node_modules/.bin/buf"
}

# buf lint on proto/, and buf breaking against the main branch (STRATA_PROTO_BASE names another
# git ref; on main itself, against the commit before): a field renumbered or removed, a type
# renamed, fails the tests.
proto_check() {
  local state buf base="${STRATA_PROTO_BASE:-main}"
  state="$(_strata_state)" || return 1
  if [[ -z "${STRATA_PROTO_BASE:-}" ]] &&
    [[ "$(git -C "$STRATA_ROOT" rev-parse -q --verify HEAD 2>/dev/null)" == \
      "$(git -C "$STRATA_ROOT" rev-parse -q --verify main 2>/dev/null)" ]]; then
    base=HEAD~1
  fi
  buf="$(_strata_buf "$state")" || return 1
  _strata_say buf "lint of proto/"
  (cd "$STRATA_ROOT/proto" && "$buf" lint) || {
    _strata_say buf "proto/ breaks the lint rules (proto/buf.yaml)"
    return 1
  }
  if ! git -C "$STRATA_ROOT" rev-parse --verify -q "$base^{commit}" >/dev/null 2>&1 &&
    [[ -z "${STRATA_PROTO_BASE:-}" && "$base" == main ]] &&
    git -C "$STRATA_ROOT" rev-parse --verify -q "origin/main^{commit}" >/dev/null 2>&1; then
    base=origin/main # a checkout of another branch, without a local main
  fi
  if git -C "$STRATA_ROOT" rev-parse --verify -q "$base^{commit}" >/dev/null 2>&1; then
    _strata_say buf "breaking changes against $base"
    (cd "$STRATA_ROOT/proto" && "$buf" breaking --against "$STRATA_ROOT/.git#ref=$base,subdir=proto") || {
      _strata_say buf "proto/ breaks the contract of $base: a breaking change is a new v2 package"
      return 1
    }
  elif [[ -n "${CI:-}" ]]; then
    _strata_say buf "no git ref $base to compare proto/ with (a shallow clone?); CI needs the history"
    return 1
  else
    _strata_say buf "no git ref $base here: the breaking check is skipped"
  fi
}

# ---------------------------------------------------------------------------------------
# Status
# ---------------------------------------------------------------------------------------

infra_status() {
  local state pidfile pid marker version name datadir note
  state="$(_strata_state)" || return 1
  _strata_say status "local infrastructure (state: $state)"

  # PostgreSQL: the pid is the postmaster's, read from the Debian cluster's data directory.
  marker="$state/postgresql/started-by-strata"
  pid="-"
  note=""
  if command -v pg_isready >/dev/null 2>&1 && _strata_pg_ready; then
    if [[ -s "$marker" ]]; then
      read -r version name <"$marker"
      note="  (Debian cluster $version/$name, started by strata)"
    else
      note="  (not started by strata)"
      read -r version name < <(pg_lsclusters -h 2>/dev/null | awk -v port="$STRATA_PG_PORT" '$3 == port {print $1, $2; exit}') || true
    fi
    if [[ -n "${version:-}" ]]; then
      datadir="$(pg_lsclusters -h 2>/dev/null | awk -v v="$version" -v n="$name" '$1 == v && $2 == n {print $6}')"
      [[ -n "$datadir" ]] && pid="$(_strata_as_root head -n 1 "$datadir/postmaster.pid" 2>/dev/null || echo -)"
    fi
    printf '%-11s %-8s pid %-8s %s%s\n' postgresql running "$pid" "$STRATA_PG_HOST:$STRATA_PG_PORT" "$note"
  else
    printf '%-11s %-8s pid %-8s %s\n' postgresql stopped - "$STRATA_PG_HOST:$STRATA_PG_PORT"
  fi

  pidfile="$state/pids/kafka.pid"
  if _strata_alive "$pidfile" kafka.Kafka; then
    printf '%-11s %-8s pid %-8s %s\n' kafka running "$(_strata_pid "$pidfile")" "$STRATA_KAFKA_HOST:$STRATA_KAFKA_PORT"
  elif _strata_port_open "$STRATA_KAFKA_HOST" "$STRATA_KAFKA_PORT"; then
    printf '%-11s %-8s pid %-8s %s  (not started by strata)\n' kafka running - "$STRATA_KAFKA_HOST:$STRATA_KAFKA_PORT"
  else
    printf '%-11s %-8s pid %-8s %s\n' kafka stopped - "$STRATA_KAFKA_HOST:$STRATA_KAFKA_PORT"
  fi

  pidfile="$state/pids/keycloak.pid"
  if _strata_alive "$pidfile" keycloak; then
    note=""
    [[ "$(_strata_keycloak_realm_status)" == 200 ]] || note="  (starting)"
    printf '%-11s %-8s pid %-8s %s%s\n' keycloak running "$(_strata_pid "$pidfile")" "$(_strata_keycloak_url)" "$note"
  elif _strata_port_open "$STRATA_KEYCLOAK_HOST" "$STRATA_KEYCLOAK_PORT"; then
    printf '%-11s %-8s pid %-8s %s  (not started by strata)\n' keycloak running - "$(_strata_keycloak_url)"
  else
    printf '%-11s %-8s pid %-8s %s\n' keycloak stopped - "$(_strata_keycloak_url)"
  fi
}
