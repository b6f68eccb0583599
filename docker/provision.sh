#!/bin/sh
# Provisions docker/compose.yaml's federation, once, before `docker compose up`:
#   1. an admin token for the coordinator (FEDSYNTH_ADMIN_TOKEN), made here at random;
#   2. site-1..site-3 registered in the coordinator's database (its Docker volume) with
#      `fedsynth coordinator add-site`, each site's token (shown once) kept for its container.
# Both go to docker/.env (mode 600), which compose reads. Running it again keeps what exists:
# a site already in docker/.env is skipped; a site registered in the volume but missing from
# docker/.env gets a new token (add-site --rotate).
#
# Usage, from anywhere:  sh docker/provision.sh      (COMPOSE="docker-compose" to force v1)
set -eu
cd "$(dirname "$0")"

if [ -z "${COMPOSE:-}" ]; then
  if docker compose version >/dev/null 2>&1; then COMPOSE="docker compose"; else COMPOSE="docker-compose"; fi
fi
umask 077
touch .env
chmod 600 .env

if ! grep -q '^FEDSYNTH_ADMIN_TOKEN=.' .env; then
  # 32 random bytes as hex: no characters that .env or a shell would mangle.
  echo "FEDSYNTH_ADMIN_TOKEN=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')" >> .env
  echo "provision: wrote a new admin token to docker/.env"
fi

# -T: no pseudo-terminal, so the output has plain line ends; --no-deps: only the coordinator
# image is needed, not the running federation.
add_site() {
  $COMPOSE -f compose.yaml run --rm -T --no-deps coordinator coordinator add-site "$@"
}

for n in 1 2 3; do
  if grep -q "^FEDSYNTH_SITE_${n}_TOKEN=." .env; then
    echo "provision: site-$n already has a token in docker/.env"
    continue
  fi
  if ! output=$(add_site "site-$n" 2>&1); then
    case "$output" in
      *"already registered"*) output=$(add_site "site-$n" --rotate) ;;
      *) echo "$output" >&2; echo "provision: registering site-$n failed" >&2; exit 1 ;;
    esac
  fi
  token=$(printf '%s\n' "$output" | awk '$1 == "token" { print $2 }')
  if [ -z "$token" ]; then
    echo "$output" >&2
    echo "provision: no token in the output of add-site site-$n" >&2
    exit 1
  fi
  echo "FEDSYNTH_SITE_${n}_TOKEN=$token" >> .env
  echo "provision: registered site-$n; its token is in docker/.env"
done
echo "provision: done. Next: docker compose -f docker/compose.yaml up -d --build"
