// Command snpattestd is the node binary of the snpattest reference chain: a CometBFT node running
// the app in onchain/app, with the usual SDK commands (init, keys, genesis, start, tx, query, ...) and
// `devnet init|start` for a ready local chain on loopback.
package main

import (
	"fmt"
	"os"

	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"

	"github.com/snprelay/snprelay/onchain/app"
	"github.com/snprelay/snprelay/onchain/cmd/snpattestd/cmd"
)

func main() {
	rootCmd := cmd.NewRootCmd()
	if err := svrcmd.Execute(rootCmd, "", app.DefaultNodeHome); err != nil {
		fmt.Fprintln(rootCmd.OutOrStderr(), err)
		os.Exit(1)
	}
}
