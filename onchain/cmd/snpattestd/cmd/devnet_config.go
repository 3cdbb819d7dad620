package cmd

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"

	serverconfig "github.com/cosmos/cosmos-sdk/server/config"

	"github.com/snprelay/snprelay/onchain/app"
)

// nodePorts are one node's loopback ports, all picked free at init.
type nodePorts struct {
	P2P, RPC, ProxyApp, GRPC, API int
}

func (p nodePorts) rpcURL() string { return fmt.Sprintf("http://127.0.0.1:%d", p.RPC) }

// restURL is the node's API server (REST: the SDK's and x/snpattest's grpc-gateway routes).
func (p nodePorts) restURL() string { return fmt.Sprintf("http://127.0.0.1:%d", p.API) }

// pickPorts returns n sets of distinct free loopback ports. Every listener stays open until all are
// chosen, so no port is handed out twice; node0's RPC port is rpcPort when non-zero. A port can still
// be taken by another program between init and start: pick a new home then.
func pickPorts(n, rpcPort int) ([]nodePorts, error) {
	var open []net.Listener
	defer func() {
		for _, l := range open {
			_ = l.Close()
		}
	}()
	next := func() (int, error) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		open = append(open, l)
		return l.Addr().(*net.TCPAddr).Port, nil
	}
	if rpcPort != 0 {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", rpcPort))
		if err != nil {
			return nil, fmt.Errorf("--rpc-port %d is not free: %w", rpcPort, err)
		}
		open = append(open, l)
	}
	out := make([]nodePorts, n)
	for i := range out {
		var ports [5]int
		for j := range ports {
			if i == 0 && j == 1 && rpcPort != 0 {
				ports[j] = rpcPort
				continue
			}
			p, err := next()
			if err != nil {
				return nil, err
			}
			ports[j] = p
		}
		out[i] = nodePorts{P2P: ports[0], RPC: ports[1], ProxyApp: ports[2], GRPC: ports[3], API: ports[4]}
	}
	return out, nil
}

// cometConfig is a node's config.toml: loopback only, block time = timeout_commit, every node
// allowed to peer with others on the same IP, the kv tx indexer (needed by /tx and /tx_search),
// pprof off.
func cometConfig(home, moniker string, ports nodePorts, blockTime time.Duration, peers []string) *cmtcfg.Config {
	cfg := cmtcfg.DefaultConfig()
	cfg.SetRoot(home)
	cfg.Moniker = moniker
	cfg.Consensus.TimeoutCommit = blockTime
	cfg.RPC.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", ports.RPC)
	cfg.RPC.PprofListenAddress = ""
	cfg.RPC.CORSAllowedOrigins = []string{"*"} // CosmJS in a browser; the port is loopback-only
	cfg.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", ports.P2P)
	cfg.P2P.ExternalAddress = ""
	cfg.P2P.AllowDuplicateIP = true
	cfg.P2P.AddrBookStrict = false
	cfg.P2P.PexReactor = false
	cfg.P2P.PersistentPeers = strings.Join(peers, ",")
	cfg.ProxyApp = fmt.Sprintf("tcp://127.0.0.1:%d", ports.ProxyApp)
	cfg.TxIndex.Indexer = "kv"
	cfg.Instrumentation.Prometheus = false
	return cfg
}

// appConfig is a node's app.toml: minimum gas prices, gRPC and the REST API server on loopback
// (devnet.json "rest" lists the API servers' URLs).
func appConfig(ports nodePorts) *serverconfig.Config {
	cfg := serverconfig.DefaultConfig()
	cfg.MinGasPrices = app.DefaultMinGasPrices
	cfg.GRPC.Enable = true
	cfg.GRPC.Address = fmt.Sprintf("127.0.0.1:%d", ports.GRPC)
	cfg.API.Enable = true
	cfg.API.Address = fmt.Sprintf("tcp://127.0.0.1:%d", ports.API)
	cfg.Telemetry.Enabled = false
	return cfg
}

// writeNodeConfig writes config.toml, app.toml and client.toml (chain id, test keyring, this node's
// RPC) under home/config.
func writeNodeConfig(home, chainID string, cmt *cmtcfg.Config, appCfg *serverconfig.Config, ports nodePorts) error {
	dir := filepath.Join(home, "config")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	cmtcfg.WriteConfigFile(filepath.Join(dir, "config.toml"), cmt)
	serverconfig.WriteConfigFile(filepath.Join(dir, "app.toml"), appCfg)
	client := fmt.Sprintf(`# snpattestd client configuration (devnet)
chain-id = %q
keyring-backend = "test"
keyring-default-keyname = ""
output = "text"
node = "tcp://127.0.0.1:%d"
broadcast-mode = "sync"
grpc-address = ""
grpc-insecure = false
`, chainID, ports.RPC)
	return os.WriteFile(filepath.Join(dir, "client.toml"), []byte(client), 0o644)
}
