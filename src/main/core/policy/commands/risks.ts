/**
 * Why a command the classifier will not allow is sent to a person, in a few words. This is for the
 * message only: anything not proven safe is asked about whether or not it is listed here.
 */
const REASONS: Array<[names: string, reason: string]> = [
  [
    'curl wget ssh scp sftp rsync nc ncat netcat telnet ftp socat http https aria2c ping dig nslookup host',
    'reaches the network',
  ],
  ['gh glab hub', 'reaches a code host over the network'],
  [
    'apt apt-get dpkg yum dnf apk brew port snap flatpak pacman',
    'installs or changes system packages',
  ],
  [
    'pip pip3 pipx gem cargo go poetry uv conda composer bundle',
    'can install packages or run build scripts',
  ],
  [
    'npm pnpm yarn bun npx bunx',
    'runs package scripts or installs packages; name the commands you use in the policy',
  ],
  [
    'python python3 node ruby perl php deno lua luajit Rscript osascript tsx ts-node java jshell irb',
    'runs a program',
  ],
  [
    'less more most vim vi nvim nano emacs ed pico view man info',
    'is an interactive pager or editor',
  ],
  ['sh bash dash zsh fish ksh csh tcsh', 'runs a shell script'],
  ['eval', 'runs a string as a command'],
  ['source .', 'runs a script inside this shell'],
  ['exec', 'replaces the shell with another program'],
  ['sudo doas su pkexec runuser', 'runs a command as another user'],
  ['env printenv export set declare', 'prints or changes the environment, where secrets live'],
  ['nohup setsid disown screen tmux', 'keeps a process running beyond the command'],
  ['rm rmdir shred unlink', 'deletes files'],
  ['mv cp ln install truncate dd patch', 'changes files'],
  ['chmod chown chgrp chattr setfacl', 'changes file permissions'],
  ['kill pkill killall', 'stops processes'],
  ['ps top htop pgrep lsof', 'shows other processes, whose command lines can hold secrets'],
  ['crontab systemctl launchctl service mount umount shutdown reboot', 'changes the system'],
  ['docker podman kubectl', 'controls containers'],
  [
    'make cmake ninja gradle mvn ant bazel meson',
    'runs build scripts; name the commands you use in the policy',
  ],
  ['open xdg-open start', 'opens files in other programs'],
  ['nice ionice timeout stdbuf watch', 'runs another command; write the command itself'],
  ['pushd popd', 'changes the directory stack'],
];

const BY_NAME = new Map(
  REASONS.flatMap(([names, reason]) => names.split(' ').map((name) => [name, reason] as const)),
);

export function riskOf(name: string): string {
  const reason = BY_NAME.get(name);
  return reason ? `${name} ${reason}` : `${name} is not a command the classifier knows to be safe`;
}
