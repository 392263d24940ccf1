package main

import "github.com/spf13/cobra"

func (a *app) seedCmd() *cobra.Command {
	return &cobra.Command{Use: "seed", Short: "Write synthetic contacts for load tests"}
}
