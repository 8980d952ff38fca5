#!/bin/sh
# make install and uninstall, the man pages and shell completions, the systemd unit, the Dockerfile and the
# compose file (issue #18, item 4).  `make install DESTDIR=tmp` puts the
# binaries, the schemas, the docs, the systemd unit with this install's
# paths, the sample config (exactly what `inquestd --print-sample-config`
# prints) and the config itself; the sample loads back: the installed
# inquestd starts on it.  `make uninstall` keeps an edited config (and says
# so) and otherwise leaves nothing: no file, no inquest directory.  The
# unit passes `systemd-analyze verify` and an offline security rating of
# at most 2.5 (skipped, saying why, where systemd-analyze is absent); a
# broken copy of it fails the same check.  The Dockerfile has a
# HEALTHCHECK on /healthz and a numeric non-root USER, and the compose
# file uses the current format (no version key).
. "$IQ_ROOT/tests/lib.sh"
d=$(iq_tmpdir)
b=${IQ_BUILD#"$IQ_ROOT"/}
root="$d/root"
mk() { make -s -C "$IQ_ROOT" BUILD="$b" "$@"; }

mk install DESTDIR="$root" >"$d/install.out" || { cat "$d/install.out" >&2; fail "make install"; }
P="$root/usr/local"
for f in bin/inquestd bin/inquest share/inquest/schemas/event.schema.json \
         share/inquest/schemas/sources/alertmanager.json share/inquest/inquestd.conf.sample \
         share/doc/inquest/operations.md share/doc/inquest/README.md \
         lib/systemd/system/inquestd.service etc/inquest/inquestd.conf \
         share/man/man1/inquest.1 share/man/man1/inquest-draft.1 share/man/man8/inquestd.8 \
         share/bash-completion/completions/inquest share/zsh/site-functions/_inquest; do
  [ -f "$P/$f" ] || fail "make install did not put $f"
done
[ -x "$P/bin/inquestd" ] || fail "inquestd not executable"
"$IQD" --print-sample-config | cmp -s - "$P/share/inquest/inquestd.conf.sample" || fail "the sample is not the daemon's own"
grep -q "^ExecStart=/usr/local/bin/inquestd --config /usr/local/etc/inquest/inquestd.conf\$" \
  "$P/lib/systemd/system/inquestd.service" || fail "unit paths"
grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$P/lib/systemd/system/inquestd.service" \
  || fail "the unit does not reload with SIGHUP (systemctl reload)"
n=$(find "$IQ_ROOT/schemas" -type f | wc -l)
[ "$(find "$P/share/inquest/schemas" -type f | wc -l)" -eq "$n" ] || fail "schemas: not all $n files"

# a man page for every command (docs/cli.md)
for c in $("$IQ" --help | awk '/^commands:$/ { on = 1; next } on && /^  [^ ]/ { print $1 }'); do
  [ -f "$P/share/man/man1/inquest-$c.1" ] || fail "make install did not put the man page of $c"
done

# the installed daemon starts on the installed sample (flags for a scratch run)
INQUEST_SCHEMAS="$P/share/inquest/schemas" "$P/bin/inquestd" --config "$P/share/inquest/inquestd.conf.sample" \
  --data "$d/data" --listen-zmq tcp://127.0.0.1:0 --listen-http 127.0.0.1:0 --ports-file "$d/ports" \
  >"$d/sample.log" 2>&1 &
IQ_DAEMON_PID=$!
iq_wait_until 30 iq_daemon_ready "$d/ports" "$IQ_DAEMON_PID" "$d/sample.log"
iq_stop_daemon

# uninstall: an edited config stays; otherwise nothing is left
echo '{"log_level": "debug"}' >"$P/etc/inquest/inquestd.conf"
mk uninstall DESTDIR="$root" >"$d/uninstall.out" || fail "make uninstall"
grep -q "keeping $P/etc/inquest/inquestd.conf: it differs from the sample" "$d/uninstall.out" \
  || fail "uninstall did not say it keeps the edited config"
[ "$(find "$root" -type f)" = "$P/etc/inquest/inquestd.conf" ] || fail "left after uninstall: $(find "$root" -type f)"
rm "$P/etc/inquest/inquestd.conf"
mk install DESTDIR="$root" >/dev/null || fail "second make install"
mk uninstall DESTDIR="$root" >/dev/null || fail "second make uninstall"
left=$(find "$root" -type f -o -type d -name '*inquest*')
[ -z "$left" ] || fail "left after uninstall: $left"

# Dockerfile and compose file
sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$IQ_ROOT/Dockerfile" >"$d/Dockerfile.joined"
grep -q '^HEALTHCHECK .*CMD .*/healthz' "$d/Dockerfile.joined" || fail "Dockerfile: no HEALTHCHECK on /healthz"
grep -q '^USER [1-9][0-9]*:[1-9][0-9]*$' "$IQ_ROOT/Dockerfile" || fail "Dockerfile: USER is not a numeric non-root user"
if grep -q '^version:' "$IQ_ROOT/docker-compose.yml"; then fail "docker-compose.yml has the obsolete version key"; fi

# the unit, by systemd's own checks
command -v systemd-analyze >/dev/null || { echo "skipped: systemd-analyze is not installed (the unit is not verified)"; exit 77; }
make -s -C "$IQ_ROOT" BUILD="$d/b" BINDIR="$IQ_BUILD" "$d/b/inquestd.service" >/dev/null || fail "unit for verify"
# clean: exit 0 and not a word (a bad value is only a warning to verify)
clean_unit() { systemd-analyze verify "$1" >"$d/verify.out" 2>&1 && [ ! -s "$d/verify.out" ]; }
clean_unit "$d/b/inquestd.service" || { cat "$d/verify.out" >&2; fail "systemd-analyze verify"; }
systemd-analyze security --offline=true --threshold=25 "$d/b/inquestd.service" >"$d/security.out" 2>&1 \
  || { tail -n 3 "$d/security.out" >&2; fail "systemd-analyze security rates the unit above 2.5"; }
tail -n 1 "$d/security.out"
sed 's/^NoNewPrivileges=yes/NoNewPrivileges=maybe/' "$d/b/inquestd.service" >"$d/broken.service"
if clean_unit "$d/broken.service"; then fail "verify found nothing wrong in a broken unit"; fi
