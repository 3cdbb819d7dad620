package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"
)

func devnetStartCmd() *cobra.Command {
	var (
		home    string
		timeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "start --home DIR",
		Short: "Run every node of a devnet in the foreground until SIGINT/SIGTERM",
		Long: `Starts 'snpattestd start --home DIR/node<i>' for every node of DIR/devnet.json as child processes
(logs in DIR/node<i>/node.log), prints each node's RPC URL and pid, and prints "ready" once node0 has
committed a block. SIGINT/SIGTERM are forwarded to the nodes; the command returns after they have
stopped. A node that dies is reported and the others keep running; when every node is gone the
command fails.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if home == "" {
				return errors.New("--home DIR is required")
			}
			return runDevnetStart(cmd.OutOrStdout(), home, timeout)
		},
	}
	cmd.Flags().StringVar(&home, "home", "", "devnet directory written by 'devnet init'")
	cmd.Flags().DurationVar(&timeout, "ready-timeout", 2*time.Minute, "give up when node0 has no block by then")
	return cmd
}

type childNode struct {
	name string
	cmd  *exec.Cmd
	done chan error
}

func runDevnetStart(out io.Writer, home string, readyTimeout time.Duration) error {
	home, err := filepath.Abs(home)
	if err != nil {
		return err
	}
	m, err := readManifest(filepath.Join(home, "devnet.json"))
	if err != nil {
		return fmt.Errorf("not a devnet home (run 'snpattestd devnet init --home %s' first): %w", home, err)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}

	// Subscribe before the first child exists, so no signal is missed.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)

	// Pdeathsig is tied to the thread that forks: keep this goroutine on one OS thread so the children
	// get SIGTERM if this process dies without forwarding (e.g. SIGKILL), never leaving orphans.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	children := make([]*childNode, 0, len(m.Validators))
	exited := make(chan int, len(m.Validators))
	stopAll := func(sig os.Signal) {
		for _, c := range children {
			_ = c.cmd.Process.Signal(sig)
		}
	}
	for i, v := range m.Validators {
		nodeHome := filepath.Join(home, fmt.Sprintf("node%d", i))
		logFile, err := os.OpenFile(filepath.Join(nodeHome, "node.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			stopAll(syscall.SIGTERM)
			return err
		}
		c := exec.Command(self, "start", "--home", nodeHome, "--log_no_color")
		c.Stdout, c.Stderr = logFile, logFile
		c.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
		if err := c.Start(); err != nil {
			_ = logFile.Close()
			stopAll(syscall.SIGTERM)
			return fmt.Errorf("start %s: %w", v.Moniker, err)
		}
		_ = logFile.Close() // the child holds its own descriptor
		child := &childNode{name: v.Moniker, cmd: c, done: make(chan error, 1)}
		children = append(children, child)
		go func(idx int, ch *childNode) {
			ch.done <- ch.cmd.Wait()
			exited <- idx
		}(len(children)-1, child)
		fmt.Fprintf(out, "%s rpc %s pid %d log %s\n", v.Moniker, m.RPC[i], c.Process.Pid,
			filepath.Join(nodeHome, "node.log"))
	}

	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	readyCh := make(chan error, 1)
	go func() { readyCh <- waitForBlock(ctx, m.RPC[0], 1) }()

	alive := len(children)
	ready := false
	for {
		select {
		case err := <-readyCh:
			cancel()
			if err != nil {
				fmt.Fprintf(out, "node0 has no block: %v; stopping\n", err)
				stopAll(syscall.SIGTERM)
				waitChildren(children, 20*time.Second)
				return fmt.Errorf("devnet not ready: %w", err)
			}
			ready = true
			fmt.Fprintln(out, "ready")
		case sig := <-sigs:
			cancel()
			fmt.Fprintf(out, "%v: stopping %d node(s)\n", sig, alive)
			stopAll(sig)
			waitChildren(children, 20*time.Second)
			fmt.Fprintln(out, "stopped")
			return nil
		case idx := <-exited:
			alive--
			c := children[idx]
			err := <-c.done
			c.done <- err // keep it for waitChildren
			fmt.Fprintf(out, "%s (pid %d) exited: %v; %d node(s) left\n", c.name, c.cmd.Process.Pid, exitText(err), alive)
			if alive == 0 {
				cancel()
				if !ready {
					return errors.New("every node exited before the devnet was ready (see the node.log files)")
				}
				return errors.New("every node exited")
			}
		}
	}
}

// waitChildren waits for every child, killing those still alive after grace.
func waitChildren(children []*childNode, grace time.Duration) {
	deadline := time.After(grace)
	for _, c := range children {
		select {
		case err := <-c.done:
			c.done <- err
		case <-deadline:
			_ = c.cmd.Process.Kill()
			err := <-c.done
			c.done <- err
		}
	}
}

func exitText(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// waitForBlock polls rpcURL/status until latest_block_height >= height.
func waitForBlock(ctx context.Context, rpcURL string, height int64) error {
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		if h, err := latestHeight(ctx, client, rpcURL); err == nil && h >= height {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func latestHeight(ctx context.Context, client *http.Client, rpcURL string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rpcURL+"/status", nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var status struct {
		Result struct {
			SyncInfo struct {
				LatestBlockHeight string `json:"latest_block_height"`
			} `json:"sync_info"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&status); err != nil {
		return 0, err
	}
	return strconv.ParseInt(status.Result.SyncInfo.LatestBlockHeight, 10, 64)
}
