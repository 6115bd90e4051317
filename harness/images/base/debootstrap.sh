#!/usr/bin/env bash
# The base image's recipe: a minimal Debian bookworm root file system in "$1".
# The builder hashes this file into the base image's tag, so editing it makes a new base.
# Used only when no local debian:bookworm-slim image exists (nothing can be pulled here).
set -euo pipefail

root=${1:?usage: debootstrap.sh <empty-dir>}
mirror=http://deb.debian.org/debian

echo "[base] debootstrap --variant=minbase bookworm (downloads ~40 MB of packages; about a minute or two)" >&2
debootstrap --variant=minbase --include=ca-certificates bookworm "$root" "$mirror" >&2

echo "[base] configuring apt and trimming the root file system" >&2
rm -f "$root/etc/apt/sources.list"
cat > "$root/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES

# Same spirit as the official slim images: no docs, man pages or translations, no cached .debs.
cat > "$root/etc/dpkg/dpkg.cfg.d/docker" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
DPKG
cat > "$root/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
cat > "$root/etc/apt/apt.conf.d/docker-no-languages" <<'APT'
Acquire::Languages "none";
APT
cat > "$root/etc/apt/apt.conf.d/docker-recommends" <<'APT'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
APT

rm -rf "$root"/usr/share/doc/*/[!c]* "$root"/usr/share/man/* "$root"/usr/share/info/* \
  "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/cache/debconf/*-old \
  "$root"/var/log/* "$root"/tmp/* "$root"/dev/* "$root"/proc/* "$root"/sys/* 2>/dev/null || true
find "$root"/usr/share/locale -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} + 2>/dev/null || true
: > "$root/etc/machine-id"
echo "debian-bookworm-minbase" > "$root/etc/oneclick-base"
