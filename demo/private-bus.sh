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

# start_private_service DIR SERVICE GUEST: the service SERVICE (its executable) on a private bus
# in DIR, with DIR/state as its state and the built-in guest GUEST (a directory with vmlinuz and
# initramfs.cpio.gz) as its system images, logging warnings only. Appends the bus's and the
# service's pids to the caller's array `pids` (kill them in reverse order: the service first, so
# it stops its VMs while the bus is still there) and sets bus_address and service_pid.
start_private_service() {
  local dir=$1 service=$2 guest=$3
  mkdir -p "$dir/images" "$dir/state"
  ln -s "$guest/vmlinuz" "$dir/images/vmlinuz"
  ln -s "$guest/initramfs.cpio.gz" "$dir/images/initramfs.cpio.gz"
  start_private_bus "$dir"
  pids+=("$bus_pid")
  "$service" --address "$bus_address" --state-dir "$dir/state" --image-dir "$dir/images" --log-level warning &
  service_pid=$!
  pids+=("$service_pid")
}
