#!/usr/bin/env bash
# ctest packaging.deb: build the .deb with scripts/package.sh, install it into a throw-away root with
# `dpkg --root --force-script-chrootless` (the maintainer scripts run on this host with DPKG_ROOT set), and
# check what a validator's machine would get: every file with its mode and owner, the conffile, the
# snprelay user and group, a unit `systemd-analyze verify` accepts, example configurations that parse,
# an upgrade that keeps a local edit, and a purge that removes everything. Nothing may be written outside
# the throw-away root: the host's /etc/passwd, /etc/group and the package's own paths are compared before
# and after.
#   package_test.sh BUILD_DIR SOURCE_DIR
# Exit 0 = pass, 1 = a check failed (each failure is printed), 77 = skipped because dpkg, dpkg-deb or
# systemd-analyze is not installed. Needs root or fakeroot (dpkg --root wants to chown); under a non-root
# user it re-runs itself under fakeroot.
set -euo pipefail

build_dir=${1:?usage: package_test.sh BUILD_DIR SOURCE_DIR}
src=${2:?usage: package_test.sh BUILD_DIR SOURCE_DIR}

missing=()
for tool in dpkg dpkg-deb dpkg-query systemd-analyze; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "SKIP: ${missing[*]} not installed (Debian: apt-get install dpkg systemd)"
  exit 77
fi
if [[ $(id -u) != 0 ]]; then
  command -v fakeroot >/dev/null || {
    echo "FAIL: dpkg --root needs root or fakeroot, and neither is available" >&2
    exit 1
  }
  exec fakeroot -- "$0" "$@"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/snprelay-package-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
root="$work/root"
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
check() {  # check DESCRIPTION COMMAND...: the command must succeed
  local what=$1
  shift
  "$@" || fail "$what"
}
dpkg_root() {
  dpkg --root="$root" --force-script-chrootless --log=/dev/null "$@"
}

# The host state the install must not change: account databases and every path the package owns.
host_paths=(/usr/bin/snprelay /etc/snprelay /lib/systemd/system/snprelay.service
  /usr/lib/sysusers.d/snprelay.conf /lib/udev/rules.d/60-snprelay-sev-guest.rules
  /var/lib/snprelay /var/cache/snprelay /usr/share/doc/snprelay)
host_state() {
  sha256sum /etc/passwd /etc/group
  for p in "${host_paths[@]}"; do
    if [[ -e "$p" ]]; then stat -c '%n %a %u %g %Y' "$p"; else echo "$p absent"; fi
  done
}
host_before=$(host_state)

# 1. Build the package.
version=$(sed -nE 's/^project\(snprelay VERSION ([0-9.]+).*/\1/p' "$src/CMakeLists.txt")
deb=$("$src/scripts/package.sh" --build-dir "$build_dir" --out "$work/out" 2>"$work/package.log" | tail -1) || {
  cat "$work/package.log" >&2
  echo "FAIL: scripts/package.sh failed" >&2
  exit 1
}
check "package.sh printed '$deb', not $work/out/snprelay_${version}_amd64.deb" \
  test "$deb" = "$work/out/snprelay_${version}_amd64.deb" -a -f "$deb"
check "the packaged binary is stripped, the build's own is not" \
  test "$(stat -c %s "$build_dir/bin/snprelay")" -gt "$(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/bin/snprelay | wc -c)"

control=$(dpkg-deb -f "$deb")
for field in "Package: snprelay" "Version: $version" "Architecture: amd64"; do
  grep -qx "$field" <<<"$control" || fail "control lacks '$field'"
done
depends=$(dpkg-deb -f "$deb" Depends)
for dep in libc6 libcurl4 libssl3 libsqlite3-0 libtss2-esys-3.0.2-0 libsecp256k1-1 tpm-udev systemd; do
  grep -qE "(^|, )$dep( |,|$)" <<<"$depends" || fail "Depends lacks $dep: $depends"
done

# 2. The archive: path, mode and owner of every file (dpkg-deb --root-owner-group: all root/root).
listing=$(dpkg-deb -c "$deb" | awk '{ print $1, $2, $6 }')
expected_files=(
  "-rwxr-xr-x ./usr/bin/snprelay"
  "-rw-r--r-- ./lib/systemd/system/snprelay.service"
  "-rw-r--r-- ./usr/lib/sysusers.d/snprelay.conf"
  "-rw-r--r-- ./lib/udev/rules.d/60-snprelay-sev-guest.rules"
  "drwxr-x--- ./etc/snprelay/"
  "-rw-r----- ./etc/snprelay/snprelay.toml"
  "-rw-r--r-- ./usr/share/doc/snprelay/copyright"
  "-rw-r--r-- ./usr/share/doc/snprelay/README.md"
  "-rw-r--r-- ./usr/share/doc/snprelay/examples/snprelay-devnet.toml"
)
for entry in "${expected_files[@]}"; do
  grep -qxF -- "${entry% *} root/root ${entry#* }" <<<"$listing" || fail "archive lacks '$entry' (root/root)"
done
if grep -v ' root/root ' <<<"$listing"; then fail "archive entries not owned by root/root (above)"; fi

# 3. Install into an empty root.
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
: >"$root/var/lib/dpkg/status"
dpkg_root --force-depends -i "$deb" >"$work/install.log" 2>&1 || {
  cat "$work/install.log" >&2
  echo "FAIL: dpkg -i into $root failed" >&2
  exit 1
}
check "snprelay not 'install ok installed $version'" \
  test "$(dpkg-query --root="$root" -W -f='${Status} ${Version}' snprelay)" = "install ok installed $version"
conffiles=$(dpkg-query --root="$root" -W -f='${Conffiles}' snprelay)
conf_md5=$(md5sum <"$root/etc/snprelay/snprelay.toml" | cut -d' ' -f1)
grep -qF "/etc/snprelay/snprelay.toml $conf_md5" <<<"$conffiles" ||
  fail "conffile /etc/snprelay/snprelay.toml ($conf_md5) not registered: $conffiles"

# The user and group, in the root's own account files.
user_line=$(grep '^snprelay:' "$root/etc/passwd" || true)
group_line=$(grep '^snprelay:' "$root/etc/group" || true)
IFS=: read -r _ _ uid gid _ home shell <<<"$user_line"
IFS=: read -r _ _ group_gid _ <<<"$group_line"
check "no user snprelay in $root/etc/passwd" test -n "$user_line"
check "no group snprelay in $root/etc/group" test -n "$group_line"
check "user snprelay's group is not snprelay ($gid vs $group_gid)" test "${gid:-x}" = "${group_gid:-y}"
check "user snprelay is not a system user (uid $uid)" test "${uid:-1000}" -lt 1000 -a "${uid:-0}" -gt 0
check "user snprelay's home is '$home'" test "$home" = /var/lib/snprelay
check "user snprelay has a login shell '$shell'" test "${shell##*/}" = nologin
check "user snprelay is not a member of group tss (/dev/tpmrm0)" \
  grep -qE '^tss:[^:]*:[0-9]+:(.*,)?snprelay(,|$)' "$root/etc/group"

# Modes and owners as installed (the configuration handed to group snprelay by postinst).
expected_stat=(
  "755 0 0 usr/bin/snprelay"
  "644 0 0 lib/systemd/system/snprelay.service"
  "644 0 0 usr/lib/sysusers.d/snprelay.conf"
  "644 0 0 lib/udev/rules.d/60-snprelay-sev-guest.rules"
  "750 0 ${group_gid:-?} etc/snprelay"
  "640 0 ${group_gid:-?} etc/snprelay/snprelay.toml"
  "644 0 0 usr/share/doc/snprelay/copyright"
  "644 0 0 usr/share/doc/snprelay/examples/snprelay-devnet.toml"
)
for entry in "${expected_stat[@]}"; do
  path=${entry##* }
  got=$(stat -c '%a %u %g' "$root/$path" 2>/dev/null || echo missing)
  check "/$path is '$got', want '${entry% *}'" test "$got" = "${entry% *}"
done
check "host state changed by the install:
$(diff <(echo "$host_before") <(host_state) || true)" test "$host_before" = "$(host_state)"

# 4. systemd-analyze verify. It resolves ExecStart= and the units the service needs (sysinit.target,
# ...) inside --root, so a scratch root gets the installed unit and binary plus the host's targets and
# slices. A deliberately broken copy proves the check can fail (verify warns but exits 0 on a bad key).
unit="$root/lib/systemd/system/snprelay.service"
for line in "ExecStart=/usr/bin/snprelay start --config /etc/snprelay/snprelay.toml" "User=snprelay" \
  "Group=snprelay" "StateDirectory=snprelay" "CacheDirectory=snprelay" "DevicePolicy=closed" \
  "DeviceAllow=/dev/sev-guest rw" "DeviceAllow=/dev/tpmrm0 rw" "ProtectSystem=strict" "NoNewPrivileges=yes" \
  "CapabilityBoundingSet=" "AmbientCapabilities=" "EnvironmentFile=-/etc/snprelay/env"; do
  grep -qxF -- "$line" "$unit" || fail "the unit lacks the line '$line'"
done
vroot="$work/verify-root"
mkdir -p "$vroot/lib/systemd/system" "$vroot/usr/bin"
unit_dir=/lib/systemd/system
[[ -e "$unit_dir/sysinit.target" ]] || unit_dir=/usr/lib/systemd/system
cp "$unit_dir"/*.target "$unit_dir"/*.slice "$vroot/lib/systemd/system/"
cp "$root/usr/bin/snprelay" "$vroot/usr/bin/snprelay"
cp "$root/lib/systemd/system/snprelay.service" "$vroot/lib/systemd/system/"
verify_out=$(systemd-analyze verify --root="$vroot" snprelay.service 2>&1) ||
  fail "systemd-analyze verify failed: $verify_out"
check "systemd-analyze verify printed warnings: $verify_out" test -z "$verify_out"
sed 's/^ProtectSystem=strict$/ProtectSystem=sometimes/' "$root/lib/systemd/system/snprelay.service" \
  >"$vroot/lib/systemd/system/snprelay-broken.service"
broken_out=$(systemd-analyze verify --root="$vroot" snprelay-broken.service 2>&1 || true)
check "systemd-analyze verify did not flag a bad ProtectSystem= value: $broken_out" grep -q sometimes <<<"$broken_out"
rm "$vroot/lib/systemd/system/snprelay-broken.service"
if exposure=$(systemd-analyze security --offline=yes --root="$vroot" snprelay.service 2>/dev/null |
  sed -nE 's/.*Overall exposure level for snprelay.service: ([0-9.]+).*/\1/p') && [[ -n "$exposure" ]]; then
  echo "systemd-analyze security: exposure $exposure"
  check "exposure $exposure is above 2.5 (the unit lost some of its sandbox)" \
    awk -v e="$exposure" 'BEGIN { exit !(e <= 2.5) }'
fi

# 5. Both example configurations parse with the packaged binary (no SNPRELAY_* overrides), and every
# path they name is writable under the unit (ProtectSystem=strict: /var/lib/snprelay, /var/cache/snprelay).
for config in "$root/etc/snprelay/snprelay.toml" "$root/usr/share/doc/snprelay/examples/snprelay-devnet.toml"; do
  if ! effective=$(env -i PATH="$PATH" "$root/usr/bin/snprelay" config check "$config" 2>"$work/check.log"); then
    fail "snprelay config check $config: $(cat "$work/check.log")"
    continue
  fi
  while read -r key value; do
    case "$value" in
    '"/var/lib/snprelay"' | '"/var/lib/snprelay/'* | '"/var/cache/snprelay/'*) ;;
    *) fail "$config: $key = $value is outside /var/lib/snprelay and /var/cache/snprelay" ;;
    esac
  done < <(sed -nE 's/^(cert_cache_path|sim_state_dir|keyring_dir|state_dir|journal_path|db_path) = (.*)/\1 \2/p' \
    <<<"$effective")
done
grep -qx 'hardware_mode = "require"' "$root/etc/snprelay/snprelay.toml" ||
  fail "/etc/snprelay/snprelay.toml is not hardware_mode = \"require\""
grep -qx 'hardware_mode = "simulate"' "$root/usr/share/doc/snprelay/examples/snprelay-devnet.toml" ||
  fail "the devnet example is not hardware_mode = \"simulate\""

# 6. Upgrade (a reinstall runs postinst with the old version): a local edit of the conffile is kept, and
# so is its group.
echo "# local edit" >>"$root/etc/snprelay/snprelay.toml"
dpkg_root --force-depends --force-confold -i "$deb" >"$work/upgrade.log" 2>&1 ||
  fail "reinstall failed: $(cat "$work/upgrade.log")"
check "the local edit of the conffile was lost on upgrade" \
  grep -qx '# local edit' "$root/etc/snprelay/snprelay.toml"
check "the conffile is '$(stat -c '%a %u %g' "$root/etc/snprelay/snprelay.toml")' after upgrade" \
  test "$(stat -c '%a %u %g' "$root/etc/snprelay/snprelay.toml")" = "640 0 ${group_gid:-?}"

# 7. Purge: the package's files, its state, cache and /etc/snprelay go; the user stays.
mkdir -p "$root/var/lib/snprelay/keys" "$root/var/cache/snprelay/sev-certs"
echo key >"$root/var/lib/snprelay/keys/relayer.key"
echo cert >"$root/var/cache/snprelay/sev-certs/vcek.der"
echo SNPRELAY_KEY_PASSPHRASE=x >"$root/etc/snprelay/env"
dpkg_root --purge snprelay >"$work/purge.log" 2>&1 || fail "purge failed: $(cat "$work/purge.log")"
for path in usr/bin/snprelay lib/systemd/system/snprelay.service usr/lib/sysusers.d/snprelay.conf \
  lib/udev/rules.d/60-snprelay-sev-guest.rules etc/snprelay usr/share/doc/snprelay var/lib/snprelay \
  var/cache/snprelay; do
  [[ ! -e "$root/$path" ]] || fail "/$path is still there after purge"
done
check "snprelay still known to dpkg after purge" \
  test -z "$(dpkg-query --root="$root" -W -f='${Status}' snprelay 2>/dev/null | grep -v 'not-installed' || true)"
check "host state changed by the upgrade or purge:
$(diff <(echo "$host_before") <(host_state) || true)" test "$host_before" = "$(host_state)"

if [[ $failures -gt 0 ]]; then
  echo "packaging.deb: $failures check(s) failed" >&2
  exit 1
fi
echo "packaging.deb: $deb installs, verifies, parses, upgrades and purges cleanly"
