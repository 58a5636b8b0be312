#!/bin/sh
# expect_job_failure.sh SECONDS MESSAGE COMMAND...: passes when COMMAND ends within SECONDS
# with a non-zero status and MESSAGE in its output.
seconds=$1; message=$2; shift 2
out=$(timeout "$seconds" "$@" 2>&1); status=$?
printf '%s\n' "$out"
if [ "$status" -eq 124 ]; then echo "FAIL: still running after $seconds s"; exit 1; fi
if [ "$status" -eq 0 ]; then echo "FAIL: exited with status 0"; exit 1; fi
case "$out" in
  *"$message"*) echo "PASS: exit status $status within $seconds s, message found"; exit 0 ;;
esac
echo "FAIL: exit status $status but no '$message' in the output"; exit 1
