#!/usr/bin/env bash
# Makes sure tmux is there for the CLI's terminal tests (tests/SlateDB.Cli.Tests/TerminalTests.cs drive the built
# `slatedb` in a 120x40 tmux session and check the captured screen). Installs it with apt-get when it is missing and
# apt-get can run (as root, or with passwordless sudo). Sourced by scripts/test.sh; when it cannot be installed the
# terminal tests fail with that reason (they never skip).

tmux_setup() {
  command -v tmux >/dev/null 2>&1 && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo -n"
  if command -v apt-get >/dev/null 2>&1; then
    echo "== tmux: apt-get install tmux (for the CLI terminal tests)"
    $sudo apt-get install -y -qq tmux >/dev/null 2>&1 \
      || { $sudo apt-get update -qq >/dev/null 2>&1 && $sudo apt-get install -y -qq tmux >/dev/null 2>&1; } \
      || echo "== tmux: could not be installed; the CLI terminal tests will fail"
  else
    echo "== tmux: not installed and no apt-get; the CLI terminal tests will fail"
  fi
  return 0
}

tmux_setup
