package live

import (
	"errors"
	"strings"
	"testing"
)

// TestKernelNoUMCG: on a kernel without UMCG the kernel backend fails at
// its first syscall with one clear line wrapping ErrNoUMCG, whether the
// number is unused (ENOSYS) or taken by another call (447 is memfd_secret
// since Linux 5.14).
func TestKernelNoUMCG(t *testing.T) {
	for _, nr := range []KernelSyscalls{SyscallsFrom(100000), V01Syscalls()} {
		_, err := NewKernel(nr)
		if err == nil {
			t.Skipf("syscall %d answers umcg_api_version(1, 0) with 0: a UMCG kernel?", nr.APIVersion)
		}
		if !errors.Is(err, ErrNoUMCG) || strings.Contains(err.Error(), "\n") {
			t.Fatalf("want one line wrapping ErrNoUMCG, got %q", err)
		}
		if nr.APIVersion == 100000 && !strings.Contains(err.Error(), "ENOSYS") {
			t.Fatalf("an unused number: want ENOSYS, got %q", err)
		}
		t.Log(err)
	}
}

func TestNewBackend(t *testing.T) {
	if b, err := NewBackend("emu", "lifo-queue"); err != nil || b.Name() != "emu/lifo-queue" {
		t.Fatalf("emu: %v %v", b, err)
	}
	if _, err := NewBackend("kernel", ""); !errors.Is(err, ErrNoUMCG) {
		t.Skipf("kernel: %v (a UMCG kernel?)", err)
	}
	for _, c := range [][2]string{{"emu", "nope"}, {"kernel", "lifo-queue"}, {"other", ""}} {
		if _, err := NewBackend(c[0], c[1]); err == nil || strings.Contains(err.Error(), "\n") {
			t.Fatalf("%v: want a one-line error, got %v", c, err)
		}
	}
}
