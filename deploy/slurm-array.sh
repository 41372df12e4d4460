#!/usr/bin/env bash
# A swarm of umcgcheck explorations as a Slurm job array: each task
# explores shard SLURM_ARRAY_TASK_ID of 4 and writes its JSON results; when
# all are done, merge them:
#
#   sbatch deploy/slurm-array.sh
#   umcgcheck merge results/shard-*.json
#
# Every task must get the same umcgcheck arguments, or merge refuses them.
#
# Two kinds of swarm (SWARM, e.g. sbatch --export=ALL,SWARM=seeds ...):
#   shards (the default): the configurations are spread over the tasks,
#     each searched exactly by one task (--shard);
#   seeds: as SPIN's swarm verification, every task makes a bitstate search
#     of the same configuration with its own --hash-seed (the task's index
#     plus one: 0 is the unseeded hash), which picks the hash function and
#     the order of actions, so that the tasks lose different states; merge
#     reports every violation any task found and their combined coverage.
#SBATCH --job-name=umcgcheck-swarm
#SBATCH --array=0-3
#SBATCH --cpus-per-task=2
#SBATCH --mem=24G
#SBATCH --time=24:00:00
#SBATCH --output=results/slurm-%A_%a.log
set -u
mkdir -p results
# Build the binary (go run would turn every exit code into 1, and a usage
# error would pass for violations found).
bin=$(mktemp -d)/umcgcheck
go build -o "$bin" ./cmd/umcgcheck || exit 2
case "${SWARM:-shards}" in
shards) args=(--config all --shard /4) ;;
seeds) args=(--config general --bitstate 32 --hash-seed $((SLURM_ARRAY_TASK_ID + 1))) ;;
*) echo "SWARM=$SWARM: want shards or seeds" >&2; exit 2 ;;
esac
"$bin" explore "${args[@]}" --json --quiet \
  > "results/shard-${SLURM_ARRAY_TASK_ID}.json"
code=$?
rm -rf "$(dirname "$bin")"
# 0: no violation, 1: violations found (a result, not a failure), 3:
# incomplete (a bound, --max-memory or a signal such as scancel's SIGTERM;
# the results so far are written). 2, bad usage, fails the task.
[ "$code" -le 1 ] || [ "$code" -eq 3 ]
