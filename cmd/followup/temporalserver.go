package main

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/devserver"
	"github.com/followup-dev/followup/workflows"
)

// temporalCmd runs the server `followup dev` embeds, alone, as `temporal
// server start-dev --db-filename` does: serve and workers then run as
// separate processes against it, and any of them can be stopped or killed
// without losing follow-ups.
func (a *app) temporalCmd() *cobra.Command {
	var addr string
	var ui uiFlags
	c := &cobra.Command{
		Use:   "temporal [--address 127.0.0.1:7233] [--ui-port 8233 | --no-ui]",
		Short: a.p.Text("Run only the embedded Temporal server (persisted), for serve and workers in their own processes"),
		Long: a.p.Sprintf(`Run the Temporal server that followup dev embeds, on its own: all of
Temporal's services in this process, persisted to $FOLLOWUP_DATA_DIR/temporal.db
(the same file followup dev uses; only one of them can have it open at a time),
with the namespace $TEMPORAL_NAMESPACE and the follow-ups' search attributes
registered. Then run followup serve and one or more followup worker processes
against it with TEMPORAL_ADDRESS set; each can be stopped, restarted or killed
on its own. While it runs, its address is in $FOLLOWUP_DATA_DIR/temporal.addr,
where the other commands (send, status …) find it when TEMPORAL_ADDRESS is
unset. Ctrl-C (or SIGTERM) stops the server; follow-ups resume at the
next start.

The address is --address, else $TEMPORAL_ADDRESS, else %s:
the host must be an IP address of this machine (or localhost); port 0 picks a
free port.

The Temporal Web UI (as temporal server start-dev serves it) listens on the
same host, on port --ui-port (default 8233; 0 picks a free port); --no-ui
turns it off. A port that is taken stops the command with a message naming
these flags. While it runs, its URL is in $FOLLOWUP_DATA_DIR/ui.url, where
followup status finds it to print each follow-up's page.

Neither the server nor the UI has authentication, and the UI can signal,
cancel and terminate follow-ups: do not listen beyond loopback on a shared
network.`, DefaultTemporalAddress),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := ui.check(); err != nil {
				return err
			}
			if err := a.config(); err != nil {
				return err
			}
			flag := "--address"
			if addr == "" {
				addr, flag = a.cfg.TemporalAddress, "TEMPORAL_ADDRESS"
			}
			if addr == "" {
				addr = DefaultTemporalAddress
			}
			host, port, err := listenHostPort(addr)
			if err != nil {
				return usageError{followup.Errorf(followup.EInvalid, "%s %q: %v", flag, addr, err)}
			}
			if err := devserver.MakePrivateDir(a.cfg.DataDir); err != nil {
				return followup.Errorf(followup.EInvalid, "FOLLOWUP_DATA_DIR %s: %v", a.cfg.DataDir, err)
			}
			srv, err := devserver.Start(a.ctx, devserver.Config{
				DataDir: a.cfg.DataDir, Namespace: a.cfg.TemporalNamespace, Host: host, FrontendPort: port,
				UI: !ui.off, UIPort: ui.port,
				SearchAttributes: workflows.SearchAttributeTypes(),
				Logger:           a.logger(),
			})
			if err != nil {
				return embeddedStartError(err, addr, flag)
			}
			a.temporalBanner(srv.FrontendHostPort(), srv.UIURL(), host)
			<-a.ctx.Done()
			fmt.Fprintln(a.stdout, "\nstopping Temporal…")
			if err := srv.Stop(); err != nil {
				return fmt.Errorf("stop the embedded Temporal server: %w", err)
			}
			fmt.Fprintln(a.stdout, "stopped")
			return nil
		},
	}
	c.Flags().StringVar(&addr, "address", "", a.p.Sprintf("host:port the frontend listens on (default $TEMPORAL_ADDRESS, else %s)", DefaultTemporalAddress))
	ui.bind(a.p, c)
	return c
}

// embeddedStartError says why the embedded server did not start, in the
// message itself (not only with FOLLOWUP_DEBUG): the usual causes, the data
// directory held by another server and a port taken, are the user's to
// fix. addr is where it was to listen; flag is what chooses another port.
// The Web UI's port is chosen with --ui-port in both commands.
func embeddedStartError(err error, addr, flag string) error {
	const cannot = "cannot start the embedded Temporal server"
	var inUse *devserver.InUseError
	var uiPort *devserver.UIPortError
	var msg string
	switch {
	case errors.As(err, &uiPort) && errors.Is(err, syscall.EADDRINUSE):
		msg = fmt.Sprintf("cannot start the Temporal Web UI: %s is already in use (by another followup dev, followup temporal, temporal server start-dev or other program); stop that one, choose another port with --ui-port, or run without the UI with --no-ui", uiPort.Addr)
	case errors.As(err, &uiPort):
		msg = fmt.Sprintf("cannot start the Temporal Web UI on %s: %v; choose another port with --ui-port, or run without the UI with --no-ui", uiPort.Addr, uiPort.Err)
	case errors.As(err, &inUse):
		by := "another followup dev or followup temporal"
		if inUse.PID != 0 {
			by = fmt.Sprintf("pid %d (another followup dev or followup temporal)", inUse.PID)
		}
		msg = fmt.Sprintf("%s: its data directory %s (FOLLOWUP_DATA_DIR) is in use by %s; stop that one, or give this one another FOLLOWUP_DATA_DIR", cannot, inUse.Dir, by)
	case errors.Is(err, syscall.EADDRINUSE):
		msg = fmt.Sprintf("%s: %s is already in use (by another followup dev, followup temporal or other program); stop that one, or choose another port with %s", cannot, addr, flag)
	default:
		msg = fmt.Sprintf("%s on %s: %v", cannot, addr, err)
	}
	return &followup.Error{Code: followup.EInternal, Message: msg, Err: err}
}

// listenHostPort splits a listen address into the IP and port the embedded
// server binds. An empty host means every interface, as in net.Listen.
func listenHostPort(addr string) (host string, port int, err error) {
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("not host:port (e.g. %s)", DefaultTemporalAddress)
	}
	port, err = strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("port %q is not a number from 0 to 65535", p)
	}
	switch {
	case h == "":
		h = "0.0.0.0"
	case h == "localhost":
		h = "127.0.0.1"
	case net.ParseIP(h) == nil:
		return "", 0, fmt.Errorf("the server binds an IP address of this machine, not %q", h)
	}
	return h, port, nil
}

// temporalBanner says where the server and its Web UI are and how to start
// the other processes against it.
func (a *app) temporalBanner(hostPort, uiURL, bindHost string) {
	env := "TEMPORAL_ADDRESS=" + hostPort
	if a.cfg.TemporalNamespace != "default" {
		env += " TEMPORAL_NAMESPACE=" + a.cfg.TemporalNamespace
	}
	if a.cfg.TemporalTaskQueue != "followup" {
		env += " TEMPORAL_TASK_QUEUE=" + a.cfg.TemporalTaskQueue
	}
	listening := ""
	if ip := net.ParseIP(bindHost); ip != nil && ip.IsUnspecified() {
		listening = " (listening on every interface)"
	}
	uiLine := ""
	if uiURL != "" {
		uiLine = "\n  web UI     " + workflowsPage(uiURL, a.cfg.TemporalNamespace)
	}
	fmt.Fprintf(a.stdout, `Temporal is running on %s%s
  namespace  %s, with the follow-ups' search attributes
  data       %s%s

Start the other processes from other terminals, with the same DATABASE_URL
(%s):
  followup migrate
  %s followup serve
  %s followup worker --sandbox     # once per worker; kill any of them
(--sandbox: channels without credentials send to fake providers inside each
worker; leave it out to send only on configured channels.)

Ctrl-C stops it; follow-ups resume at the next start.
`, hostPort, listening, a.cfg.TemporalNamespace, filepath.Join(a.cfg.DataDir, devserver.DatabaseFile), uiLine,
		redactURL(a.cfg.DatabaseURL), env, env)
}
