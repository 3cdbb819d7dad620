package cmd

import "github.com/spf13/cobra"

// DevnetCmd groups `devnet init` and `devnet start`.
func DevnetCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "devnet",
		Short: "A ready local chain on loopback: 1 validator or an N-validator localnet",
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	return cmd
}
