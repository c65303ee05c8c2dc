#!/usr/bin/env bash
# A single-node Slurm on this machine, for the tests and for trying `fractaxis sweep plan` on a
# laptop: munge for authentication, slurmctld and slurmd on localhost, one partition "local" with
# this machine's cores. Debian packages: slurm-wlm munge (installed when missing, as root or with
# sudo). Usage: scripts/slurm-local.sh start | stop | status. State lives in $SLURM_LOCAL_DIR
# (default /tmp/fractaxis-slurm); `start` prints the SLURM_CONF to export.
set -euo pipefail
DIR=${SLURM_LOCAL_DIR:-/tmp/fractaxis-slurm}
CONF=$DIR/slurm.conf
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

start() {
  if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends slurm-wlm munge
  fi
  mkdir -p "$DIR"/{state,spool,log,run}
  # munge: a key of our own, the daemon on its own socket.
  if [ ! -f "$DIR/munge.key" ]; then
    dd if=/dev/urandom bs=1 count=1024 of="$DIR/munge.key" status=none
    chmod 400 "$DIR/munge.key"
  fi
  if ! pgrep -f "munged.*$DIR" >/dev/null; then
    $SUDO munged --key-file="$DIR/munge.key" --socket="$DIR/run/munge.socket" \
      --pid-file="$DIR/run/munged.pid" --log-file="$DIR/log/munged.log" --seed-file="$DIR/run/munge.seed" --force
  fi
  local host cpus mem user
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512))
  user=$(id -un)
  cat > "$CONF" <<CONF
ClusterName=fractaxis-local
SlurmctldHost=$host
SlurmUser=$user
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$DIR/run/munge.socket
CredType=cred/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldPort=6917
SlurmdPort=6918
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
SchedulerParameters=sched_interval=2
MaxArraySize=100001
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF=$CONF
  pgrep -f "slurmctld.*$CONF" >/dev/null || $SUDO env SLURM_CONF="$CONF" slurmctld -f "$CONF"
  pgrep -f "slurmd.*$CONF" >/dev/null || $SUDO env SLURM_CONF="$CONF" slurmd -f "$CONF"
  for _ in $(seq 1 60); do
    if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
      echo "export SLURM_CONF=$CONF"
      return 0
    fi
    sleep 0.5
  done
  echo "slurm did not come up; see $DIR/log" >&2
  sinfo >&2 || true
  tail -20 "$DIR/log/slurmctld.log" "$DIR/log/slurmd.log" >&2 || true
  return 1
}

stop() {
  for p in slurmd slurmctld munged; do
    [ -f "$DIR/run/$p.pid" ] && $SUDO kill "$(cat "$DIR/run/$p.pid")" 2>/dev/null || true
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) SLURM_CONF=$CONF sinfo ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
