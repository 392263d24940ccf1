package main

import (
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/devserver"
	"github.com/followup-dev/followup/i18n"
	"github.com/followup-dev/followup/workflows"
)

// DefaultUIPort is where the embedded server's Web UI listens unless told
// otherwise: the port `temporal server start-dev` serves it on.
const DefaultUIPort = 8233

// uiFlags are the Web UI flags of dev and temporal.
type uiFlags struct {
	port int
	off  bool
}

func (f *uiFlags) bind(p i18n.Printer, c *cobra.Command) {
	c.Flags().IntVar(&f.port, "ui-port", DefaultUIPort, p.Text("the Temporal Web UI's HTTP port (0 picks a free port)"))
	c.Flags().BoolVar(&f.off, "no-ui", false, p.Text("do not serve the Temporal Web UI"))
}

// check rejects a port that cannot be one.
func (f uiFlags) check() error {
	if !f.off && (f.port < 0 || f.port > 65535) {
		return usageError{followup.Errorf(followup.EInvalid, "--ui-port %d is not a port from 0 to 65535 (or turn the UI off with --no-ui)", f.port)}
	}
	return nil
}

// webUIURL is the base URL of the Temporal Web UI of the server the
// commands talk to, or "" if none is known: the UI of the embedded server
// (followup dev or followup temporal) running on FOLLOWUP_DATA_DIR when it
// is that server (TEMPORAL_ADDRESS unset, or its address), else
// TEMPORAL_UI_URL.
func (a *app) webUIURL() string {
	if a.cfg.DataDir != "" {
		if addr, ok := devserver.Address(a.cfg.DataDir); ok && (a.cfg.TemporalAddress == "" || a.cfg.TemporalAddress == addr) {
			if u, ok := devserver.UIURL(a.cfg.DataDir); ok {
				return u
			}
		}
	}
	return a.cfg.TemporalUIURL
}

// workflowsPage is the Web UI's list of the namespace's workflows.
func workflowsPage(base, namespace string) string {
	return strings.TrimSuffix(base, "/") + "/namespaces/" + url.PathEscape(namespace) + "/workflows"
}

// followUpPage is the Web UI's page of the contact's follow-up on a
// channel: its latest run's history, search attributes and pending timers.
func followUpPage(base, namespace, workflowID string) string {
	return workflowsPage(base, namespace) + "/" + url.PathEscape(workflowID)
}

// statusJSON is one follow-up as status --json prints it: its state and,
// when a Web UI is known, its page there.
type statusJSON struct {
	workflows.State
	WebUI string `json:",omitempty"`
}
