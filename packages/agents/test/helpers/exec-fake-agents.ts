/**
 * Small fake fence agents (POSIX sh) written to a temp dir, each misbehaving in one way, for the
 * exec fence agent tests. They speak the fence-agents stdin protocol and `-o metadata`.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const METADATA = (name: string, actions: string[]): string => `cat <<'XML'
<?xml version="1.0" ?>
<resource-agent name="${name}" shortdesc="fake agent for tests">
<parameters>
  <parameter name="action" unique="0" required="1"><content type="string" default="reboot"/></parameter>
  <parameter name="plug" unique="0" required="1" obsoletes="port"><content type="string"/></parameter>
  <parameter name="password" unique="0" required="0"><content type="string"/></parameter>
  <parameter name="statefile" unique="0" required="0"><content type="string"/></parameter>
</parameters>
<actions>
${actions.map((a) => `  <action name="${a}"/>`).join('\n')}
</actions>
</resource-agent>
XML
exit 0`;

// Reads key=value lines from stdin into shell variables (only the keys we use).
const READ_STDIN = `while IFS= read -r line; do
  case "$line" in
    action=*) action="\${line#action=}";; plug=*) plug="\${line#plug=}";; port=*) plug="\${line#port=}";;
    password=*) password="\${line#password=}";; statefile=*) statefile="\${line#statefile=}";; logfile=*) logfile="\${line#logfile=}";;
  esac
done`;

export interface FakeAgents {
  dir: string;
  path(name: string): string;
  close(): void;
}

/** Writes the fake agents; `close()` removes them. */
export function writeFakeAgents(): FakeAgents {
  const dir = mkdtempSync(join(tmpdir(), 'quorate-fake-fence-'));
  const all = ['on', 'off', 'reboot', 'status', 'list', 'monitor', 'metadata'];
  const scripts: Record<string, string> = {
    // A well-behaved agent: power per plug in files "<statefile>.<plug>"; logs argv and stdin.
    fence_fake: `#!/bin/sh
[ "$1" = "-o" ] && [ "$2" = "metadata" ] && { ${METADATA('fence_fake', all)}; }
input=$(cat)
echo "argv:$*" > "${dir}/fence_fake.argv"
printf '%s\\n' "$input" > "${dir}/fence_fake.stdin"
action=; plug=; password=; statefile=
${READ_STDIN.replace('done', 'done <<EOF\n$input\nEOF')}
[ "$password" = "right-pass" ] || { echo "ERROR: Unable to connect/login to fencing device" >&2; exit 1; }
f="$statefile.$plug"; [ -f "$f" ] || echo on > "$f"
case "$action" in
  status) s=$(cat "$f"); if [ "$s" = on ]; then echo "Status: ON"; exit 0; else echo "Status: OFF"; exit 2; fi;;
  on|off) echo "$action" > "$f"; echo "Success: Powered $action"; exit 0;;
  reboot) echo on > "$f"; echo "Success: Rebooted"; exit 0;;
  list) echo "1,node1"; echo "2,node2"; echo "3,"; exit 0;;
  monitor) exit 0;;
esac
exit 1
`,
    // Hangs in a grandchild; records the grandchild pid so the test can check the group was killed.
    fence_hang: `#!/bin/sh
[ "$1" = "-o" ] && [ "$2" = "metadata" ] && { ${METADATA('fence_hang', all)}; }
cat >/dev/null
sleep 30 &
echo $! > "${dir}/fence_hang.child"
wait
`,
    // Prints garbage and exits with codes fence agents never use.
    fence_garbage: `#!/bin/sh
[ "$1" = "-o" ] && [ "$2" = "metadata" ] && { ${METADATA('fence_garbage', all)}; }
input=$(cat)
case "$input" in
  *action=list*) echo "lorem ipsum"; echo "\\001\\002 binary"; exit 0;;
  *action=status*) echo "¿¿ garbage"; exit 7;;
esac
exit 0
`,
    // Says OFF but exits 0 (= on): contradictory.
    fence_liar: `#!/bin/sh
[ "$1" = "-o" ] && [ "$2" = "metadata" ] && { ${METADATA('fence_liar', all)}; }
cat >/dev/null
echo "Status: OFF"
exit 0
`,
    // Metadata is not XML.
    fence_badmeta: `#!/bin/sh
echo "this is not xml <<<"
exit 0
`,
    // Knows only on/off/status (no list).
    fence_nolist: `#!/bin/sh
[ "$1" = "-o" ] && [ "$2" = "metadata" ] && { ${METADATA('fence_nolist', ['on', 'off', 'status', 'metadata'])}; }
cat >/dev/null
exit 0
`,
    // Echoes its password to stderr when it fails (the agent must redact it).
    fence_leaky: `#!/bin/sh
[ "$1" = "-o" ] && [ "$2" = "metadata" ] && { ${METADATA('fence_leaky', all)}; }
password=
${READ_STDIN}
echo "Failed: device said no to password $password" >&2
exit 1
`,
  };
  for (const [name, text] of Object.entries(scripts)) {
    writeFileSync(join(dir, name), text);
    chmodSync(join(dir, name), 0o755);
  }
  writeFileSync(join(dir, 'fence_noexec'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(dir, 'fence_noexec'), 0o644);
  return { dir, path: (name) => join(dir, name), close: () => rmSync(dir, { recursive: true, force: true }) };
}
