#!/usr/bin/env bash
# Build the snprelay Debian package from an existing build:
#   scripts/package.sh [--build-dir DIR] [--out DIR]
# DIR/bin/snprelay (default build/) is copied, stripped (the build's own file is never touched) and packed
# with the systemd unit, sysusers and udev files, the example configurations and the maintainer scripts of
# packaging/ into OUT/snprelay_<version>_amd64.deb (default OUT: DIR/package). The version is the top
# CMakeLists.txt's project(snprelay VERSION x.y.z). Depends comes from dpkg-shlibdeps, or, where it is
# missing or failing, from the binary's NEEDED libraries (objdump -p, located by ldd) mapped to their
# packages with dpkg -S.
# Progress goes to stderr; the last line on stdout is the .deb's path. Needs dpkg-deb, strip and du; no
# root (dpkg-deb --root-owner-group makes every file root:root; postinst gives the configuration to the
# snprelay group).
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
build_dir="$src/build"
out_dir=""

usage() {
  echo "usage: $0 [--build-dir DIR] [--out DIR]" >&2
  exit 2
}

while [[ $# -gt 0 ]]; do
  case "$1" in
  --build-dir) [[ $# -ge 2 ]] || usage; build_dir=$2; shift 2 ;;
  --out) [[ $# -ge 2 ]] || usage; out_dir=$2; shift 2 ;;
  -h | --help) usage ;;
  *) echo "package.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
out_dir=${out_dir:-$build_dir/package}

die() {
  echo "package.sh: $*" >&2
  exit 1
}

for tool in dpkg-deb strip du; do
  command -v "$tool" >/dev/null || die "$tool is not installed (Debian: apt-get install dpkg-dev binutils)"
done

binary="$build_dir/bin/snprelay"
[[ -x "$binary" ]] || die "$binary is missing or not executable: build the snprelay target first"
version=$(sed -nE 's/^project\(snprelay VERSION ([0-9]+\.[0-9]+\.[0-9]+).*/\1/p' "$src/CMakeLists.txt")
[[ -n "$version" ]] || die "no 'project(snprelay VERSION x.y.z' line in $src/CMakeLists.txt"

work=$(mktemp -d "${TMPDIR:-/tmp}/snprelay-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
# dpkg-shlibdeps expects the debhelper layout: debian/control, and the package root at debian/<package>.
root="$work/debian/snprelay"
pkg="$src/packaging"
doc="$root/usr/share/doc/snprelay"

echo "package.sh: staging snprelay $version from $binary" >&2
install -d -m 0755 "$root/usr/bin"
strip --strip-unneeded -o "$root/usr/bin/snprelay" "$binary"
chmod 0755 "$root/usr/bin/snprelay"
install -D -m 0644 "$pkg/systemd/snprelay.service" "$root/lib/systemd/system/snprelay.service"
install -D -m 0644 "$pkg/sysusers/snprelay.conf" "$root/usr/lib/sysusers.d/snprelay.conf"
install -D -m 0644 "$pkg/udev/60-snprelay-sev-guest.rules" "$root/lib/udev/rules.d/60-snprelay-sev-guest.rules"
install -d -m 0750 "$root/etc/snprelay"
install -m 0640 "$pkg/config/snprelay.toml" "$root/etc/snprelay/snprelay.toml"
install -D -m 0644 "$pkg/debian/copyright" "$doc/copyright"
install -D -m 0644 "$pkg/README.md" "$doc/README.md"
install -D -m 0644 "$pkg/config/snprelay-devnet.toml" "$doc/examples/snprelay-devnet.toml"
install -D -m 0644 "$pkg/monitoring/alerts.yml" "$doc/examples/monitoring/alerts.yml"
install -D -m 0644 "$pkg/monitoring/dashboard.json" "$doc/examples/monitoring/dashboard.json"

# The runtime libraries as Debian package names: dpkg-shlibdeps when it works, else ldd + dpkg -S.
shlib_depends() {
  printf 'Source: snprelay\n\nPackage: snprelay\nArchitecture: amd64\n' >"$work/debian/control"
  if command -v dpkg-shlibdeps >/dev/null; then
    local line
    if line=$(cd "$work" && dpkg-shlibdeps -O debian/snprelay/usr/bin/snprelay 2>"$work/shlibdeps.log"); then
      line=${line#shlibs:Depends=}
      [[ -n "$line" ]] && { echo "$line"; return; }
    fi
    echo "package.sh: dpkg-shlibdeps failed ($(tail -1 "$work/shlibdeps.log")); using ldd and dpkg -S" >&2
  fi
  command -v ldd >/dev/null && command -v objdump >/dev/null ||
    die "neither dpkg-shlibdeps nor ldd and objdump can name the libraries"
  # The binary's own DT_NEEDED entries (not their dependencies), located by ldd, owned per dpkg -S.
  local needed lib pkgname
  ldd "$root/usr/bin/snprelay" >"$work/ldd.txt"
  for needed in $(objdump -p "$root/usr/bin/snprelay" | awk '$1 == "NEEDED" { print $2 }'); do
    lib=$(awk -v n="$needed" '$1 == n && $2 == "=>" { print $3 }' "$work/ldd.txt")
    [[ -n "$lib" && "$lib" != "not" ]] || die "ldd cannot find $needed (needed by snprelay)"
    pkgname=$(dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")" 2>/dev/null) ||
      die "no installed package owns $lib (needed by snprelay)"
    echo "${pkgname%%:*}"
  done | sort -u | paste -sd, - | sed 's/,/, /g'
}
libs=$(shlib_depends)
[[ -n "$libs" ]] || die "found no library dependencies for snprelay"
# tpm-udev: the tss group the unit's SupplementaryGroups= names; systemd: systemd-sysusers for postinst.
depends="$libs, tpm-udev, systemd"

install -d -m 0755 "$root/DEBIAN"
installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@INSTALLED_SIZE@/$installed_size/" -e "s/@DEPENDS@/$depends/" \
  "$pkg/debian/control.in" >"$root/DEBIAN/control"
install -m 0644 "$pkg/debian/conffiles" "$root/DEBIAN/conffiles"
for script in postinst prerm postrm; do
  install -m 0755 "$pkg/debian/$script" "$root/DEBIAN/$script"
done

mkdir -p "$out_dir"
deb="$(cd "$out_dir" && pwd)/snprelay_${version}_amd64.deb"
# Reproducible timestamps: dpkg-deb clamps every mtime to SOURCE_DATE_EPOCH (the last commit's time).
if [[ -z "${SOURCE_DATE_EPOCH:-}" ]]; then
  SOURCE_DATE_EPOCH=$(git -C "$src" log -1 --format=%ct 2>/dev/null || date +%s)
  export SOURCE_DATE_EPOCH
fi
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >&2
echo "$deb"
