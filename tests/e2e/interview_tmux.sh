#!/usr/bin/env bash
# End to end: the installed `recordskit new` in a real terminal (tmux), answered key by key,
# the screen read back, and the letter opened. Usage: interview_tmux.sh [RECORDSKIT] [WORKDIR]
set -euo pipefail
RECORDSKIT=${1:-recordskit}
WORK=${2:-$(mktemp -d)}
OUT="$WORK/letter-out"
SESSION="rk-e2e-$$"
rm -rf "$OUT"
# The interview's "today" is fixed, so that the dates typed below never fall in the past.
# A tmux server of its own (-L): a server the user already runs would lend the interview its own
# environment, and with it the user's real request log. The log goes under WORKDIR.
tmux() { command tmux -L "$SESSION" "$@"; }
trap 'tmux kill-server 2>/dev/null || true' EXIT

fail() { echo "E2E FAIL: $*"; tmux capture-pane -p -t "$SESSION" 2>/dev/null | tail -25; tmux kill-session -t "$SESSION" 2>/dev/null || true; exit 1; }
wait_for() {
  for _ in $(seq 100); do
    tmux capture-pane -p -t "$SESSION" | grep -qF -- "$1" && return 0
    sleep 0.1
  done
  fail "never saw: $1"
}
keys() { tmux send-keys -t "$SESSION" "$@"; }
no_label() {
  if tmux capture-pane -p -t "$SESSION" | grep -qF "Description:"; then
    fail "questionary's English 'Description:' label is on the screen"
  fi
}

# The command writes to the terminal; its files go to --out. Never redirect its stdout.
tmux new-session -d -s "$SESSION" -x 110 -y 40 \
  "cd '$WORK' && RECORDSKIT_HOME='$WORK/home' RECORDSKIT_TODAY=2026-11-20 '$RECORDSKIT' new --out '$OUT'; echo \"EXIT=\$?\"; sleep 30"

wait_for "What do you want to ask for?"
keys Enter
wait_for "Which agency has the records?"
wait_for "Boston Police Department"
keys Down Enter
wait_for "Which records do you want from BPD?"
wait_for "Rules for federal access to BRIC information"
wait_for "strict controls"                     # the highlighted record's description
no_label                                       # shown by recordskit, not labelled in English
keys Space Down Space Enter
wait_for "Any other records?"
# questionary sums a checkbox up in English ("done (2 selections)"), whatever the language:
# recordskit writes that line again, with the titles chosen.
if tmux capture-pane -p -t "$SESSION" | grep -qF "selections)"; then
  fail "questionary's English 'done (N selections)' is on the screen"
fi
wait_for "Which records do you want from BPD? Rules for federal access to BRIC information; "
keys "Emails about the BRIC & ICE <audit>" Enter
wait_for "Records from what date?";    keys "2016-01-01" Enter
wait_for "Records up to what date?";   keys "2018-12-31" Enter
wait_for "Your name:";                 keys "Rosa Díaz" Enter
wait_for "Organization filing";        keys Enter
wait_for "Email address for the answer"; keys "rosa@example.org" Enter
wait_for "Mailing address:";           keys "12 Elm St, Boston, MA 02119" Enter
wait_for "Phone number:";              keys Enter
wait_for "How will you send the letter?"
wait_for "By mail to One Schroeder Plaza, Boston, MA 02120"
keys Enter
wait_for "On what date will you send it?"
keys C-u "2026-11-23" Enter
wait_for "fee waiver";                 keys Enter
wait_for "Largest fee";                keys Enter
wait_for "How do you want the records?"; keys Enter
wait_for "Whose name goes on it?";     keys Enter
wait_for "Write the letter and schedule now?"
wait_for "To: Boston Police Department"
keys y
wait_for "EXIT=0"
wait_for "Response due from BPD"
tmux kill-session -t "$SESSION"

for f in letter.docx schedule.csv schedule.ics answers.yaml; do
  [ -s "$OUT/$f" ] || fail "missing $OUT/$f"
done
PYTHON=${PYTHON:-python3}
"$PYTHON" - "$OUT" <<'PY' || fail "letter text"
import sys
from pathlib import Path
from docx import Document
out = Path(sys.argv[1])
text = "\n".join(p.text for p in Document(out / "letter.docx").paragraphs)
for expected in ("November 23, 2026", "Boston Police Department", "One Schroeder Plaza",
                 "1. Rules for federal access to BRIC information.",
                 "2. Audit logs of federal users of BRIC systems.",
                 "3. Other records. Emails about the BRIC & ICE <audit>",
                 "Period: from January 1, 2016 through December 31, 2018.",
                 "Rosa Díaz\n12 Elm St, Boston, MA 02119\nrosa@example.org"):
    assert expected in text, expected
csv = (out / "schedule.csv").read_text()
assert csv.splitlines()[0] == "date,event,description,citation,basis"
print("letter ok")
PY
# In Spanish: the questions, the choices and each choice's description, and no English label.
tmux new-session -d -s "$SESSION" -x 110 -y 40 \
  "cd '$WORK' && RECORDSKIT_HOME='$WORK/home' RECORDSKIT_TODAY=2026-11-20 '$RECORDSKIT' new --lang es --out '$WORK/es-out'; echo \"EXIT=\$?\"; sleep 30"
wait_for "¿Qué quiere pedir?"
keys Enter
wait_for "¿Qué agencia tiene los registros?"
keys Down Enter
wait_for "¿Qué registros quiere de BPD?"
wait_for "BPD ha dicho que controles estrictos"   # the pointed record's description, in Spanish
no_label
keys Down
wait_for "Muestra cuántas veces los usuarios federales"
no_label
keys C-c
wait_for "EXIT="
tmux kill-session -t "$SESSION"
[ ! -e "$WORK/es-out" ] || fail "an interrupted interview wrote files"

echo "E2E OK"
