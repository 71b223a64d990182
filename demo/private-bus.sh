# Sourced (not run) by demo/run.sh and the benches that need a bus of their own.
#
# start_private_bus DIR: writes DIR/bus.conf (a session-type bus on DIR/bus that lets every local
# user own and call anything), starts dbus-daemon on it in the background and waits for it to
# listen. Sets bus_pid (the caller kills it when done) and bus_address.
start_private_bus() {
  local dir=$1
  cat > "$dir/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$dir/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/><allow own="*"/><allow send_destination="*"/><allow receive_sender="*"/>
  </policy>
</busconfig>
CONF
  dbus-daemon --config-file="$dir/bus.conf" --nofork --nopidfile --nosyslog --print-address=3 3>"$dir/address" &
  bus_pid=$!
  for _ in $(seq 100); do [ -s "$dir/address" ] && break; sleep 0.1; done
  [ -s "$dir/address" ] || { echo "dbus-daemon did not start (config $dir/bus.conf)" >&2; return 1; }
  bus_address=$(head -n 1 "$dir/address")
}
