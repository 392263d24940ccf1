// Package devserver runs a complete Temporal server inside the followup
// process for `followup dev` (and alone, for separate serve and worker
// processes, in `followup temporal`), persisted to one SQLite file so that
// follow-up workflows survive restarts.
//
// It does what the Temporal CLI's `temporal server start-dev --db-filename`
// does: all four services (frontend, history, matching, worker) in one
// process, one history shard, SQLite for both persistence and visibility,
// and, when asked, the Temporal Web UI beside them.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	"go.temporal.io/server/common/searchattribute/sadefs"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"

	uiserver "github.com/temporalio/ui-server/v2/server"
)

// DatabaseFile is the name of the SQLite file inside Config.DataDir. It
// holds every follow-up's history, message bodies included: Start keeps it,
// and the directory, readable by their owner only.
const DatabaseFile = "temporal.db"

// AddressFile is the name of the file inside Config.DataDir where a running
// server records its frontend address, for clients that share the data
// directory but not the configuration (Address reads it).
const AddressFile = "temporal.addr"

// lockSuffix names the lock file beside DatabaseFile.
const lockSuffix = ".lock"

const (
	defaultNamespace = "default"
	defaultHost      = "127.0.0.1"
	clusterName      = "active"
	// readyTimeout bounds how long Start waits for the frontend to answer
	// when the caller's context has no deadline.
	readyTimeout = 30 * time.Second
	// namespaceRefresh is how often each service rereads namespaces from
	// SQLite, which has no change notifications: a search attribute added
	// through the API is unknown to the history service until then (the
	// server default is 2 s).
	namespaceRefresh = time.Second
)

// Config says where the dev server keeps its data and how it is reached.
// The zero value of every field except DataDir is usable.
type Config struct {
	// DataDir holds the SQLite database (DataDir/temporal.db), its lock
	// file and, while the server runs, its address (DataDir/temporal.addr)
	// and its Web UI's URL (DataDir/ui.url).
	// It is created if missing; it and the database are made private to
	// their owner (0700 and 0600) at every start. Required.
	DataDir string
	// Namespace is registered on first start and reused afterwards.
	// Default "default".
	Namespace string
	// Host is the IP the frontend listens on. Default 127.0.0.1. The
	// history, matching and worker services always listen on 127.0.0.1.
	Host string
	// FrontendPort is the frontend's gRPC port; 0 picks a free port.
	FrontendPort int
	// UI serves the Temporal Web UI and its HTTP API on Host:UIPort, as
	// `temporal server start-dev` does on port 8233.
	UI bool
	// UIPort is the Web UI's HTTP port when UI is set; 0 picks a free port.
	UIPort int
	// SearchAttributes are custom search attributes the namespace must have.
	// Missing ones are added at every start; existing ones are left alone,
	// and one that exists with a different type makes Start fail. SQLite
	// visibility allows 10 Keyword attributes and 3 of each other type.
	SearchAttributes map[string]enumspb.IndexedValueType
	// Logger receives the server's logs. Default slog.Default().
	Logger *slog.Logger
	// LogLevel is the least severe server log level passed to Logger.
	// Default slog.LevelWarn: the server is chatty at info.
	LogLevel slog.Leveler
}

// Server is a running embedded Temporal server. Stop it to release its
// ports and the lock on its data directory.
type Server struct {
	srv       temporal.Server
	quiet     *atomic.Bool
	lock      *os.File
	dir       string
	hostPort  string
	namespace string
	ui        *uiserver.Server // nil without the Web UI
	uiURL     string

	stopOnce sync.Once
	stopErr  error
}

// Start starts a Temporal server on cfg.DataDir and returns once its frontend
// answers and the namespace has cfg.SearchAttributes. ctx bounds that wait;
// it does not stop the server when cancelled later.
//
// Only one Server may use a data directory at a time, across processes:
// Start fails with an *InUseError while another holds it. A frontend port
// that is taken fails with an error that wraps syscall.EADDRINUSE, and so
// does a Web UI port, in a *UIPortError.
func Start(ctx context.Context, cfg Config) (_ *Server, err error) {
	if cfg.DataDir == "" {
		return nil, errors.New("devserver: DataDir is required")
	}
	for name := range cfg.SearchAttributes {
		// Checked here because the first start registers them without
		// going through the server's API, which would check.
		if sadefs.IsReserved(name) {
			return nil, fmt.Errorf("devserver: search attribute name %q is reserved by Temporal", name)
		}
	}
	if cfg.Namespace == "" {
		cfg.Namespace = defaultNamespace
	}
	if cfg.Host == "" {
		cfg.Host = defaultHost
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.LogLevel == nil {
		cfg.LogLevel = slog.LevelWarn
	}
	quiet := new(atomic.Bool)
	logger := slog.New(levelHandler{min: cfg.LogLevel, quiet: quiet, next: cfg.Logger.Handler()})

	dir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("devserver: data dir: %w", err)
	}
	if err := MakePrivateDir(dir); err != nil {
		return nil, fmt.Errorf("devserver: %w", err)
	}
	lock, pid, err := lockFile(filepath.Join(dir, DatabaseFile+lockSuffix))
	if err != nil {
		if errors.Is(err, errLocked) {
			return nil, &InUseError{Dir: dir, PID: pid}
		}
		return nil, fmt.Errorf("devserver: data dir %s: %w", dir, err)
	}
	defer func() {
		if err != nil {
			_ = unlockFile(lock)
		}
	}()
	// A server that crashed left its address behind; until this one is
	// ready, no client should be sent there.
	if err := removeRecords(dir); err != nil {
		return nil, fmt.Errorf("devserver: %w", err)
	}

	dbPath := filepath.Join(dir, DatabaseFile)
	sqlCfg, err := openDatabase(dbPath, cfg.Namespace, cfg.SearchAttributes)
	if err != nil {
		return nil, fmt.Errorf("devserver: %w", err)
	}
	// Before the server opens it: SQLite creates the -wal and -shm files
	// with the database file's permissions.
	if err := makePrivateFiles(dbPath, dbPath+"-wal", dbPath+"-shm"); err != nil {
		return nil, fmt.Errorf("devserver: %w", err)
	}

	// The services' ports are picked free, then bound by the server a
	// moment later; another process may take one in between (an outgoing
	// connection's ephemeral port). Such a start is tried again with new
	// ports.
	var (
		srv       temporal.Server
		serverCfg *config.Config
		uiAddr    string
	)
	for attempt := 1; ; attempt++ {
		srv, serverCfg, uiAddr, err = buildServer(cfg, sqlCfg, logger)
		if err == nil || attempt == 3 || !strings.Contains(err.Error(), "address already in use") {
			break
		}
		logger.Warn("a port the embedded Temporal server picked was taken before it bound it; trying other ports", "error", err)
	}
	if err != nil {
		return nil, err
	}

	s := &Server{
		srv:       srv,
		quiet:     quiet,
		lock:      lock,
		dir:       dir,
		hostPort:  serverCfg.PublicClient.HostPort,
		namespace: cfg.Namespace,
	}
	if err := s.ready(ctx, logger, cfg.SearchAttributes); err != nil {
		return nil, errors.Join(err, s.Stop())
	}
	if cfg.UI {
		if err := s.startUI(ctx, uiAddr); err != nil {
			return nil, errors.Join(err, s.Stop())
		}
	}
	if err := writeFileAtomic(filepath.Join(dir, AddressFile), []byte(s.hostPort+"\n")); err != nil {
		return nil, errors.Join(fmt.Errorf("devserver: record the address: %w", err), s.Stop())
	}
	return s, nil
}

// buildServer configures, creates and starts the Temporal server on ports
// picked now (the frontend's given one, or a free one), and returns the
// address the UI will listen on.
func buildServer(cfg Config, sqlCfg *config.SQL, logger *slog.Logger) (temporal.Server, *config.Config, string, error) {
	serverCfg, hosts, err := serverConfig(cfg, sqlCfg)
	if err != nil {
		return nil, nil, "", fmt.Errorf("devserver: %w", err)
	}
	var uiAddr string
	if cfg.UI {
		if uiAddr, err = uiListenAddr(cfg.Host, cfg.UIPort); err != nil {
			return nil, nil, "", err
		}
	}
	srvLogger := slogLogger{log: logger}
	authorizer, err := authorization.GetAuthorizerFromConfig(&serverCfg.Global.Authorization)
	if err != nil {
		return nil, nil, "", fmt.Errorf("devserver: authorizer: %w", err)
	}
	claimMapper, err := authorization.GetClaimMapperFromConfig(&serverCfg.Global.Authorization, srvLogger)
	if err != nil {
		return nil, nil, "", fmt.Errorf("devserver: claim mapper: %w", err)
	}
	srv, err := newServer(
		temporal.WithConfig(serverCfg),
		temporal.ForServices(temporal.DefaultServices),
		// Static membership instead of ringpop: nothing to gossip with in one
		// process, and ringpop adds start-up delay.
		temporal.WithStaticHosts(hosts),
		temporal.WithLogger(srvLogger),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper }),
		temporal.WithDynamicConfigClient(dynamicconfig.StaticClient{
			// The Temporal CLI's dev server settings.
			dynamicconfig.HistoryCacheHostLevelMaxSize.Key():                 8096,
			dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
			dynamicconfig.NamespaceCacheRefreshInterval.Key():                namespaceRefresh,
			// The transfer queue (what hands a scheduled workflow task to
			// matching) may read its tasks 20 times a second per shard by
			// default, and this server has one shard: every signal's
			// workflow task waited ~40 ms for its turn, which was most of
			// a reply's time. Reads still happen only when a write
			// notifies the queue; 1,000 a second took the wait from p50
			// 43 ms to 2 ms (docs/BENCHMARKS.md, 2026-11-30).
			dynamicconfig.TransferProcessorMaxPollRPS.Key(): 1000,
		}),
	)
	if err != nil {
		return nil, nil, "", fmt.Errorf("devserver: create server: %w", err)
	}
	if err := startServer(srv); err != nil {
		// fx has already stopped whatever had started.
		return nil, nil, "", fmt.Errorf("devserver: start server: %w", err)
	}
	return srv, serverCfg, uiAddr, nil
}

// InUseError is Start's error when another server, in this process or
// another, holds the data directory.
type InUseError struct {
	// Dir is the data directory.
	Dir string
	// PID is the process holding it, or 0 if it cannot be told.
	PID int
}

func (e *InUseError) Error() string {
	if e.PID == 0 {
		return fmt.Sprintf("data directory %s is in use by another Temporal dev server", e.Dir)
	}
	return fmt.Sprintf("data directory %s is in use by another Temporal dev server (pid %d)", e.Dir, e.PID)
}

// Address returns the frontend address of the server running on dataDir,
// as Start recorded it in AddressFile, and whether one is running. An
// address left behind by a server that was killed is ignored: the lock
// Start takes went with its process.
func Address(dataDir string) (string, bool) {
	b, err := os.ReadFile(filepath.Join(dataDir, AddressFile))
	if err != nil {
		return "", false
	}
	addr := strings.TrimSpace(string(b))
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return "", false
	}
	if !locked(filepath.Join(dataDir, DatabaseFile+lockSuffix)) {
		return "", false
	}
	return addr, true
}

// MakePrivateDir creates dir if it is missing and makes it readable by its
// owner only (0700): it holds the database, whose histories carry message
// bodies. An existing directory that others may read is tightened.
func MakePrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		if err := os.Chmod(dir, perm&^0o077); err != nil {
			return fmt.Errorf("make the data directory %s private: %w", dir, err)
		}
	}
	return nil
}

// makePrivateFiles makes each of the files that exists readable by its
// owner only.
func makePrivateFiles(paths ...string) error {
	for _, p := range paths {
		fi, err := os.Stat(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			if err := os.Chmod(p, perm&^0o077); err != nil {
				return fmt.Errorf("make %s private: %w", p, err)
			}
		}
	}
	return nil
}

// writeFileAtomic writes a private file that readers see whole or not at all.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
	}
	return err
}

// FrontendHostPort is the address clients and workers dial.
func (s *Server) FrontendHostPort() string { return s.hostPort }

// Namespace is the namespace Start registered.
func (s *Server) Namespace() string { return s.namespace }

// Stop shuts the server and its Web UI down, removes their addresses from
// the data directory and releases the directory; it takes
// about a second, as the frontend gives open calls that long to finish.
// Stop workers first. Server logs are dropped from here on: while its
// services stop one by one, the server logs dozens of warnings and errors
// about failed polls and refused connections. Calling Stop more than once
// is safe.
//
// The SQLite connection stays open until the process exits: the server's
// SQLite driver keeps one connection per file for the life of the process
// and reuses it if the same file is opened again.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		s.quiet.Store(true)
		// Clients stop finding the server before it stops answering.
		rmErr := removeRecords(s.dir)
		if s.ui != nil {
			s.ui.Stop()
		}
		s.stopErr = errors.Join(rmErr, s.srv.Stop(), unlockFile(s.lock))
	})
	return s.stopErr
}

// removeRecords removes the frontend's address and the Web UI's URL from
// dir.
func removeRecords(dir string) error {
	var errs []error
	for _, name := range []string{AddressFile, UIURLFile} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// newServer is temporal.NewServer, with fatal log calls turned into errors.
func newServer(opts ...temporal.ServerOption) (_ temporal.Server, err error) {
	defer recoverFatal(&err)
	return temporal.NewServer(opts...)
}

// startServer is srv.Start, with fatal log calls turned into errors.
func startServer(srv temporal.Server) (err error) {
	defer recoverFatal(&err)
	return srv.Start()
}

// openDatabase creates the SQLite file and its schema if the file is
// missing, and registers the namespace if it is not registered yet.
func openDatabase(path, namespace string, attrs map[string]enumspb.IndexedValueType) (*config.SQL, error) {
	sqlCfg := &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: path,
		// rwc: a file, opened read-write and created if missing. (The
		// in-memory alternative is mode=memory.) WAL lets readers run beside
		// the one writer, and synchronous=normal syncs at checkpoints rather
		// than every commit: a crash of the process loses nothing; a crash
		// of the machine may lose the last moments, acceptable for `dev`.
		// A 64 MiB page cache (SQLite's default is 2 MiB) keeps tens of
		// thousands of waiting follow-ups' rows in memory (measured in
		// docs/BENCHMARKS.md).
		//
		// One connection: every service of the server shares it, so no two
		// transactions contend for SQLite's single write lock. With four,
		// a burst (and every restart) logged dozens of "database is locked"
		// errors (SQLITE_BUSY, and SQLITE_BUSY_SNAPSHOT, 517, which
		// busy_timeout cannot wait out: a WAL read transaction that turns
		// into a write after another connection committed fails at once;
		// the plugin offers no _txlock=immediate), each failing a server
		// operation that was then retried. One connection is also faster:
		// 59–60 follow-ups/s against 44–45 over 1,000 (docs/BENCHMARKS.md).
		ConnectAttributes: map[string]string{"mode": "rwc", "journal_mode": "wal", "synchronous": "normal", "busy_timeout": "10000", "cache_size": "-65536"},
		MaxConns:          1,
		MaxIdleConns:      1,
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if err := sqliteschema.SetupSchema(sqlCfg); err != nil {
			// A half-built schema would fail every later start; let the
			// next start try again from nothing.
			_ = os.Remove(path)
			return nil, fmt.Errorf("create schema in %s: %w", path, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("database file: %w", err)
	}
	// Search attributes given here take effect on first registration only;
	// ready adds the ones a later start asks for.
	ns, err := sqliteschema.NewNamespaceConfig(clusterName, namespace, false, attrs)
	if err != nil {
		return nil, fmt.Errorf("namespace %q: %w", namespace, err)
	}
	if err := sqliteschema.CreateNamespaces(sqlCfg, ns); err != nil {
		return nil, fmt.Errorf("register namespace %q: %w", namespace, err)
	}
	return sqlCfg, nil
}

// serverConfig builds the static configuration the Temporal CLI's dev
// server uses, and the address of every service for static membership.
func serverConfig(cfg Config, sqlCfg *config.SQL) (*config.Config, map[primitives.ServiceName]static.Hosts, error) {
	frontendPort := cfg.FrontendPort
	if frontendPort == 0 {
		p, err := freePort(cfg.Host)
		if err != nil {
			return nil, nil, err
		}
		frontendPort = p
	} else {
		// Fail with a plain message rather than the server's own.
		l, err := net.Listen("tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(frontendPort)))
		if err != nil {
			return nil, nil, fmt.Errorf("frontend port: %w", err)
		}
		_ = l.Close()
	}
	frontendHostPort := net.JoinHostPort(dialHost(cfg.Host), strconv.Itoa(frontendPort))
	// The frontend's HTTP API is not used, but without it the server warns
	// at every start that Nexus is unavailable.
	httpPort, err := freePort(cfg.Host)
	if err != nil {
		return nil, nil, err
	}
	httpHostPort := net.JoinHostPort(dialHost(cfg.Host), strconv.Itoa(httpPort))

	services := map[string]config.Service{
		string(primitives.FrontendService): {RPC: config.RPC{GRPCPort: frontendPort, HTTPPort: httpPort, BindOnIP: cfg.Host}},
	}
	hosts := map[primitives.ServiceName]static.Hosts{
		primitives.FrontendService: static.SingleLocalHost(frontendHostPort),
	}
	for _, name := range []primitives.ServiceName{primitives.HistoryService, primitives.MatchingService, primitives.WorkerService} {
		p, err := freePort(defaultHost)
		if err != nil {
			return nil, nil, err
		}
		services[string(name)] = config.Service{RPC: config.RPC{GRPCPort: p, BindOnIP: defaultHost}}
		hosts[name] = static.SingleLocalHost(net.JoinHostPort(defaultHost, strconv.Itoa(p)))
	}

	c := &config.Config{}
	c.Global.Membership.MaxJoinDuration = 30 * time.Second
	c.Global.Membership.BroadcastAddress = defaultHost
	c.Persistence = config.Persistence{
		DefaultStore:     sqliteplugin.PluginName,
		VisibilityStore:  sqliteplugin.PluginName,
		NumHistoryShards: 1,
		DataStores:       map[string]config.DataStore{sqliteplugin.PluginName: {SQL: sqlCfg}},
	}
	c.ClusterMetadata = &cluster.Config{
		EnableGlobalNamespace:    false,
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			clusterName: {Enabled: true, InitialFailoverVersion: 1, RPCAddress: frontendHostPort, HTTPAddress: httpHostPort},
		},
	}
	c.DCRedirectionPolicy.Policy = "noop"
	c.Services = services
	c.Archival.History.State = "disabled"
	c.Archival.Visibility.State = "disabled"
	c.NamespaceDefaults.Archival.History.State = "disabled"
	c.NamespaceDefaults.Archival.Visibility.State = "disabled"
	// The server's own worker service dials the frontend here.
	c.PublicClient.HostPort = frontendHostPort
	return c, hosts, nil
}

// ready waits for the frontend to answer, then makes sure the namespace has
// every wanted search attribute.
func (s *Server) ready(ctx context.Context, logger *slog.Logger, attrs map[string]enumspb.IndexedValueType) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, readyTimeout)
		defer cancel()
	}
	var c client.Client
	for {
		var err error
		c, err = client.DialContext(ctx, client.Options{
			HostPort:  s.hostPort,
			Namespace: s.namespace,
			Logger:    sdklog.NewStructuredLogger(logger),
		})
		if err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("devserver: frontend %s not ready: %w", s.hostPort, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
	defer c.Close()
	if err := addSearchAttributes(ctx, c.OperatorService(), s.namespace, attrs); err != nil {
		return fmt.Errorf("devserver: %w", err)
	}
	return nil
}

// addSearchAttributes adds the attributes the namespace lacks. Asking the
// server to add an existing one would work too, but logs a warning each time.
func addSearchAttributes(ctx context.Context, op operatorservice.OperatorServiceClient, namespace string, want map[string]enumspb.IndexedValueType) error {
	if len(want) == 0 {
		return nil
	}
	have, err := listSearchAttributes(ctx, op, namespace)
	if err != nil {
		return err
	}
	missing := map[string]enumspb.IndexedValueType{}
	for name, typ := range want {
		got, ok := have[name]
		switch {
		case !ok:
			missing[name] = typ
		case got != typ:
			return fmt.Errorf("search attribute %s is %s in namespace %q, not %s (a SQLite attribute cannot change type; use a new name or delete the database)", name, got, namespace, typ)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if _, err := op.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace:        namespace,
		SearchAttributes: missing,
	}); err != nil {
		return fmt.Errorf("add search attributes to namespace %q: %w", namespace, err)
	}
	// The frontend lists them at once, but every service keeps its own copy
	// of the namespace: until the history service rereads it, a workflow
	// task that sets a new attribute fails, and is retried only after the
	// 10 s workflow task timeout. Wait out one refresh.
	select {
	case <-ctx.Done():
		return fmt.Errorf("wait for search attributes in namespace %q: %w", namespace, ctx.Err())
	case <-time.After(namespaceRefresh + namespaceRefresh/2):
		return nil
	}
}

func listSearchAttributes(ctx context.Context, op operatorservice.OperatorServiceClient, namespace string) (map[string]enumspb.IndexedValueType, error) {
	resp, err := op.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return nil, fmt.Errorf("list search attributes of namespace %q: %w", namespace, err)
	}
	return resp.GetCustomAttributes(), nil
}

// dialHost is the address a local client uses to reach a listener bound to
// host: a wildcard bind is reached through loopback.
func dialHost(host string) string {
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		return defaultHost
	}
	return host
}

// freePort asks the kernel for a free TCP port on host. Another process may
// take it before the server binds it; that is rare enough for a dev server,
// and a start that meets it is tried again with new ports. Not with a
// fixed --temporal-port: the failed try keeps its frontend listener (the
// server's constructor does not close what it bound), so the retry finds
// that port in use. Picking at random below the ephemeral range instead
// made it worse: parallel starts picked the same port.
// freePort picks a port on host that is free now; a variable so that a
// test can hand out one that is taken.
var freePort = func(host string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("find a free port on %s: %w", host, err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
