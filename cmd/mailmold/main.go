// Command mailmold compiles, checks, previews and renders email templates. See README.md.
package main

import (
	"os"

	"github.com/mailmold/mailmold/cmd/cli"
)

func main() {
	os.Exit(cli.ExitCode(cli.Execute(os.Args[1:])))
}
