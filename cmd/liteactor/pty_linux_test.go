package main

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// openPTY opens a pseudo-terminal pair with the kernel's /dev/ptmx
// interface (no dependency needed), so a test can give the command a
// terminal as stderr.
func openPTY() (master, slave *os.File, err error) {
	master, err = os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, err
	}
	ioctl := func(req uintptr, arg unsafe.Pointer) error {
		if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), req, uintptr(arg)); e != 0 {
			return e
		}
		return nil
	}
	var unlock int32
	var n uint32
	if err = ioctl(syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err == nil {
		err = ioctl(syscall.TIOCGPTN, unsafe.Pointer(&n))
	}
	if err == nil {
		slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	}
	if err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("pty: %w", err)
	}
	return master, slave, nil
}

func TestProgressOnATerminalOnly(t *testing.T) {
	dir := t.TempDir()
	seed(t, dir, "app.db", 300)
	master, slave, err := openPTY()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	cmd := slowBackup(t, dir, slave)
	slave.Close()
	line := waitFor(t, master, "pages")
	if !strings.Contains(line, "backup: 1/") {
		t.Fatalf("progress on the terminal: %q", line)
	}
	wantInterrupted(t, cmd)
	nothingAt(t, dir, "copy.db")

	// Not a terminal, no -progress: quiet.
	r := cli(t, dir, "-db", "app.db", "backup", "copy.db", "-step", "1")
	r.want(t, 0, "backup app.db -> copy.db")
	if r.stderr != "" {
		t.Fatalf("progress printed to a pipe: %q", r.stderr)
	}
}
