package main

// A 4-validator localnet keeps committing with one node SIGKILLed.

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestLocalnetKeepsCommittingWithOneNodeKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("starts four CometBFT nodes")
	}
	home := filepath.Join(t.TempDir(), "localnet")
	run(t, "devnet", "init", "--home", home, "--validators", "4", "--block-time", "300ms")
	m, _ := readManifest(t, home)
	d := startDevnet(t, home)
	if len(d.pids) != 4 {
		t.Fatalf("devnet start reported %d node pids, want 4", len(d.pids))
	}

	// Every node follows the chain.
	for _, u := range m.RPC {
		waitHeight(t, u, 3, 60*time.Second)
	}

	// SIGKILL node3: three of four equal validators (75% > 2/3) keep committing.
	if err := syscall.Kill(d.pids["node3"], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	seen := false
	deadline := time.After(10 * time.Second)
	for !seen {
		select {
		case line := <-d.lines:
			seen = strings.HasPrefix(line, "node3 ")
		case <-deadline:
			t.Fatal("devnet start did not report node3's exit")
		}
	}
	h, err := height(m.RPC[0])
	if err != nil {
		t.Fatal(err)
	}
	waitHeight(t, m.RPC[0], h+5, 60*time.Second)
	waitHeight(t, m.RPC[1], h+5, 30*time.Second)
	if _, err := height(m.RPC[3]); err == nil {
		t.Errorf("node3's RPC still answers after SIGKILL")
	}
	d.stop(t)
}
