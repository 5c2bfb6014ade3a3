// Launcher for cert-manager's controller, linked from the ROOT module
// github.com/cert-manager/cert-manager at a pinned release (the nested
// controller-binary module is not available from the module proxy here).
//
// It does what cmd/controller does for the controllers it runs: the
// configuration starts from cert-manager's own versioned defaults (the same
// scheme defaulting the real binary applies), is validated by cert-manager's
// own validation, and the controllers are built by cert-manager's own
// controller.ContextFactory and run from cert-manager's own registry
// (controller.Known()). Everything that differs between cert-manager releases
// lives in compat.go, which the generator picks per version range.
//
// Deliberate differences from the real binary (all configurable by flag):
// default controllers are the set needed for Vault issuance, the cluster
// resource namespace defaults to "cert-manager" (what the Helm chart passes),
// leader election is off (and cannot be turned on), the metrics and healthz
// servers are off unless an address is given, and there is no --config file.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/sync/errgroup"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/sets"
	cliflag "k8s.io/component-base/cli/flag"

	config "github.com/cert-manager/cert-manager/internal/apis/config/controller"
	configscheme "github.com/cert-manager/cert-manager/internal/apis/config/controller/scheme"
	defaults "github.com/cert-manager/cert-manager/internal/apis/config/controller/v1alpha1"
	"github.com/cert-manager/cert-manager/internal/controller/feature"
	configv1alpha1 "github.com/cert-manager/cert-manager/pkg/apis/config/controller/v1alpha1"
	"github.com/cert-manager/cert-manager/pkg/controller"
	"github.com/cert-manager/cert-manager/pkg/healthz"
	dnsutil "github.com/cert-manager/cert-manager/pkg/issuer/acme/dns/util"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
	"github.com/cert-manager/cert-manager/pkg/util"
	utilfeature "github.com/cert-manager/cert-manager/pkg/util/feature"

	// The same blank imports as cmd/controller/app/start.go: they register the
	// issuer backends (Vault's setup is where "Failed to initialize Vault
	// client" is logged) and the controllers that the config defaults package
	// does not already pull in.
	_ "github.com/cert-manager/cert-manager/pkg/controller/acmechallenges"
	_ "github.com/cert-manager/cert-manager/pkg/controller/acmeorders"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificate-shim/gateways"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificate-shim/ingresses"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/trigger"
	_ "github.com/cert-manager/cert-manager/pkg/controller/clusterissuers"
	_ "github.com/cert-manager/cert-manager/pkg/controller/issuers"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/acme"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/ca"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/selfsigned"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/vault"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/venafi"
)

// vaultControllers is what a Vault Issuer/ClusterIssuer needs to take a
// Certificate to Ready: the issuer status controllers, the approver (without
// it no CertificateRequest is ever signed), the Vault CertificateRequest
// signer and the six certificates-* controllers.
var vaultControllers = []string{
	"issuers",
	"clusterissuers",
	"certificaterequests-approver",
	"certificaterequests-issuer-vault",
	"certificates-trigger",
	"certificates-issuing",
	"certificates-key-manager",
	"certificates-request-manager",
	"certificates-readiness",
	"certificates-revision-manager",
}

func main() {
	os.Exit(launch(os.Args[1:]))
}

func launch(args []string) int {
	logf.InitLogs()
	defer logf.FlushLogs()

	cfg, err := newDefaultConfiguration()
	if err != nil {
		fmt.Fprintf(os.Stderr, "error: building the default controller configuration: %v\n", err)
		return 1
	}
	// The launcher's own defaults (see the package comment).
	cfg.ClusterResourceNamespace = "cert-manager"
	cfg.Controllers = append([]string(nil), vaultControllers...)
	cfg.LeaderElectionConfig.Enabled = false
	cfg.MetricsListenAddress = ""
	cfg.HealthzListenAddress = ""

	fs := pflag.NewFlagSet("cert-manager-controller", pflag.ContinueOnError)
	showVersion := addFlags(fs, cfg)
	fs.AddGoFlagSet(flag.CommandLine) // as cmd/controller/main.go does
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		return 2
	}
	if *showVersion {
		v := util.VersionInfo()
		fmt.Printf("cert-manager-controller %s (commit %s, %s, %s, launcher linking github.com/cert-manager/cert-manager %s)\n",
			v.GitVersion, v.GitCommit, v.GoVersion, v.Platform, v.GitVersion)
		return 0
	}
	if cfg.LeaderElectionConfig.Enabled {
		fmt.Fprintln(os.Stderr, "error: --leader-elect=true is not supported by this launcher; run a single instance with --leader-elect=false")
		return 2
	}
	if err := utilfeature.DefaultMutableFeatureGate.SetFromMap(cfg.FeatureGates); err != nil {
		fmt.Fprintf(os.Stderr, "error: failed to set feature gates: %v\n", err)
		return 2
	}
	if err := validateConfig(cfg); err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		return 2
	}

	ctx, stop := signalContext()
	defer stop()
	ctx = logf.NewContext(ctx, logf.Log, "controller")
	if err := run(ctx, cfg); err != nil {
		logf.Log.Error(err, "error executing command")
		return 1
	}
	return 0
}

// newDefaultConfiguration is cmd/controller/app/options.NewControllerConfiguration:
// the v1alpha1 ControllerConfiguration defaulted by cert-manager's scheme and
// converted to the internal type.
func newDefaultConfiguration() (*config.ControllerConfiguration, error) {
	scheme, _, err := configscheme.NewSchemeAndCodecs()
	if err != nil {
		return nil, err
	}
	versioned := &configv1alpha1.ControllerConfiguration{}
	scheme.Default(versioned)
	cfg := &config.ControllerConfiguration{}
	if err := scheme.Convert(versioned, cfg, nil); err != nil {
		return nil, err
	}
	return cfg, nil
}

// addFlags registers the subset of the real binary's flags that this suite
// needs, under the real names, plus cert-manager's logging flags (-v etc.).
func addFlags(fs *pflag.FlagSet, c *config.ControllerConfiguration) *bool {
	fs.StringVar(&c.KubeConfig, "kubeconfig", c.KubeConfig, "Path to a kubeconfig. Only required if out-of-cluster.")
	fs.StringVar(&c.APIServerHost, "master", c.APIServerHost, "Optional apiserver host address to connect to.")
	fs.Float32Var(&c.KubernetesAPIQPS, "kube-api-qps", c.KubernetesAPIQPS, "Maximum queries-per-second to the Kubernetes apiserver.")
	fs.IntVar(&c.KubernetesAPIBurst, "kube-api-burst", c.KubernetesAPIBurst, "Maximum burst of requests to the Kubernetes apiserver.")
	fs.StringVar(&c.ClusterResourceNamespace, "cluster-resource-namespace", c.ClusterResourceNamespace,
		"Namespace to store resources owned by cluster scoped resources such as ClusterIssuer in.")
	fs.StringVar(&c.Namespace, "namespace", c.Namespace,
		"If set, limits cert-manager to a single namespace and disables cluster-scoped controllers. Default: all namespaces.")
	fs.BoolVar(&c.LeaderElectionConfig.Enabled, "leader-elect", c.LeaderElectionConfig.Enabled,
		"Accepted for compatibility; only false is supported.")
	fs.StringVar(&c.LeaderElectionConfig.Namespace, "leader-election-namespace", c.LeaderElectionConfig.Namespace,
		"Accepted for compatibility; unused (no leader election).")
	fs.StringSliceVar(&c.Controllers, "controllers", c.Controllers, fmt.Sprintf(
		"Controllers to enable: '*' enables all on-by-default controllers, '-foo' disables foo.\nAll controllers: %s",
		strings.Join(defaults.AllControllers, ", ")))
	fs.BoolVar(&c.ClusterIssuerAmbientCredentials, "cluster-issuer-ambient-credentials", c.ClusterIssuerAmbientCredentials,
		"Whether a ClusterIssuer may use ambient credentials.")
	fs.BoolVar(&c.IssuerAmbientCredentials, "issuer-ambient-credentials", c.IssuerAmbientCredentials,
		"Whether an Issuer may use ambient credentials.")
	fs.BoolVar(&c.EnableCertificateOwnerRef, "enable-certificate-owner-ref", c.EnableCertificateOwnerRef,
		"Whether to set the Certificate as owner of the Secret it writes.")
	fs.StringSliceVar(&c.CopiedAnnotationPrefixes, "copied-annotation-prefixes", c.CopiedAnnotationPrefixes,
		"Annotation key prefixes copied from Certificate to CertificateRequest ('-' prefix excludes).")
	fs.Var(cliflag.NewMapStringBool(&c.FeatureGates), "feature-gates",
		"key=value pairs for cert-manager feature gates. Options are:\n"+strings.Join(utilfeature.DefaultFeatureGate.KnownFeatures(), "\n"))
	fs.IntVar(&c.NumberOfConcurrentWorkers, "concurrent-workers", c.NumberOfConcurrentWorkers, "Concurrent workers for each controller.")
	fs.IntVar(&c.MaxConcurrentChallenges, "max-concurrent-challenges", c.MaxConcurrentChallenges, "Maximum ACME challenges processing at once.")
	fs.StringVar(&c.ACMEHTTP01Config.SolverImage, "acme-http01-solver-image", c.ACMEHTTP01Config.SolverImage, "Image of the ACME HTTP01 solver.")
	fs.StringVar(&c.MetricsListenAddress, "metrics-listen-address", c.MetricsListenAddress,
		"host:port for the (plain HTTP) Prometheus metrics server; empty disables it (the real binary serves 0.0.0.0:9402).")
	fs.StringVar(&c.HealthzListenAddress, "internal-healthz-listen-address", c.HealthzListenAddress,
		"host:port for the /livez server; empty disables it (the real binary serves 0.0.0.0:9403).")
	fs.StringVar(&c.HealthzListenAddress, "healthz-listen-address", c.HealthzListenAddress,
		"Alias of --internal-healthz-listen-address.")
	logf.AddFlags(&c.Logging, fs)
	return fs.Bool("version", false, "Print the cert-manager version this launcher links, then exit.")
}

// controllersToRun reads --controllers the way the release does: "*" stands
// for the default set, "-name" leaves a controller out, any other entry adds
// one. What differs between releases comes from compat.go: whether exclusions
// alone imply the defaults, and whether they are applied before or after the
// controllers added below (experimental CSR signers, Gateway API, and the
// cluster-scoped ones a namespaced controller skips).
func controllersToRun(c *config.ControllerConfiguration) sets.Set[string] {
	run, leaveOut := sets.New[string](), sets.New[string]()
	for _, entry := range c.Controllers {
		if entry == "*" {
			run.Insert(defaults.DefaultEnabledControllers...)
		} else if name, excluded := strings.CutPrefix(entry, "-"); excluded {
			leaveOut.Insert(name)
		} else {
			run.Insert(entry)
		}
	}
	if run.Len() == 0 && leaveOut.Len() > 0 && impliedDefaultControllers {
		run.Insert(defaults.DefaultEnabledControllers...)
	}
	applyExclusions := func() { run.Delete(sets.List(leaveOut)...) }
	if !disabledRemovedLast {
		applyExclusions()
	}
	if utilfeature.DefaultFeatureGate.Enabled(feature.ExperimentalCertificateSigningRequestControllers) {
		logf.Log.Info("enabling all experimental certificatesigningrequest controllers")
		run.Insert(defaults.ExperimentalCertificateSigningRequestControllers...)
	}
	run.Insert(gatewayControllers(c)...)
	if c.Namespace != "" && !clusterScopedSkippedAtRun {
		run.Delete(namespacedDisabledControllers()...)
	}
	if disabledRemovedLast {
		applyExclusions()
	}
	return run
}

// buildContextOptions fills the controller.ContextOptions fields that exist
// in every supported release exactly as cmd/controller/app's
// buildControllerContextFactory does; compat.go adds the rest.
func buildContextOptions(ctx context.Context, c *config.ControllerConfiguration) (controller.ContextOptions, error) {
	log := logf.FromContext(ctx)
	nameservers := c.ACMEDNS01Config.RecursiveNameservers
	if len(nameservers) == 0 {
		nameservers = dnsutil.RecursiveNameservers
	}
	log.V(logf.InfoLevel).WithName("build-context").WithValues("nameservers", nameservers).Info("configured acme dns01 nameservers")

	quantities := map[string]string{
		"ACMEHTTP01SolverResourceRequestCPU":    c.ACMEHTTP01Config.SolverResourceRequestCPU,
		"ACMEHTTP01SolverResourceRequestMemory": c.ACMEHTTP01Config.SolverResourceRequestMemory,
		"ACMEHTTP01SolverResourceLimitsCPU":     c.ACMEHTTP01Config.SolverResourceLimitsCPU,
		"ACMEHTTP01SolverResourceLimitsMemory":  c.ACMEHTTP01Config.SolverResourceLimitsMemory,
	}
	parsed := map[string]resource.Quantity{}
	for name, value := range quantities {
		q, err := resource.ParseQuantity(value)
		if err != nil {
			return controller.ContextOptions{}, fmt.Errorf("error parsing %s: %w", name, err)
		}
		parsed[name] = q
	}

	o := controller.ContextOptions{
		Kubeconfig:         c.KubeConfig,
		KubernetesAPIQPS:   c.KubernetesAPIQPS,
		KubernetesAPIBurst: c.KubernetesAPIBurst,
		APIServerHost:      c.APIServerHost,
		Namespace:          c.Namespace,
		ACMEOptions: controller.ACMEOptions{
			HTTP01SolverResourceRequestCPU:    parsed["ACMEHTTP01SolverResourceRequestCPU"],
			HTTP01SolverResourceRequestMemory: parsed["ACMEHTTP01SolverResourceRequestMemory"],
			HTTP01SolverResourceLimitsCPU:     parsed["ACMEHTTP01SolverResourceLimitsCPU"],
			HTTP01SolverResourceLimitsMemory:  parsed["ACMEHTTP01SolverResourceLimitsMemory"],
			ACMEHTTP01SolverRunAsNonRoot:      c.ACMEHTTP01Config.SolverRunAsNonRoot,
			HTTP01SolverImage:                 c.ACMEHTTP01Config.SolverImage,
			HTTP01SolverNameservers:           c.ACMEHTTP01Config.SolverNameservers,
			DNS01Nameservers:                  nameservers,
			DNS01CheckRetryPeriod:             c.ACMEDNS01Config.CheckRetryPeriod,
			DNS01CheckAuthoritative:           !c.ACMEDNS01Config.RecursiveNameserversOnly,
		},
		SchedulerOptions: controller.SchedulerOptions{
			MaxConcurrentChallenges: c.MaxConcurrentChallenges,
		},
		IssuerOptions: controller.IssuerOptions{
			ClusterIssuerAmbientCredentials: c.ClusterIssuerAmbientCredentials,
			IssuerAmbientCredentials:        c.IssuerAmbientCredentials,
			ClusterResourceNamespace:        c.ClusterResourceNamespace,
		},
		IngressShimOptions: controller.IngressShimOptions{
			DefaultIssuerName:                 c.IngressShimConfig.DefaultIssuerName,
			DefaultIssuerKind:                 c.IngressShimConfig.DefaultIssuerKind,
			DefaultIssuerGroup:                c.IngressShimConfig.DefaultIssuerGroup,
			DefaultAutoCertificateAnnotations: c.IngressShimConfig.DefaultAutoCertificateAnnotations,
		},
		CertificateOptions: controller.CertificateOptions{
			EnableOwnerRef:           c.EnableCertificateOwnerRef,
			CopiedAnnotationPrefixes: c.CopiedAnnotationPrefixes,
		},
	}
	extendContextOptions(&o, c, log)
	return o, nil
}

// run follows cmd/controller/app.Run without leader election, profiling or
// metrics TLS.
func run(rootCtx context.Context, c *config.ControllerConfiguration) error {
	rootCtx, cancel := context.WithCancel(rootCtx)
	defer cancel()
	log := logf.FromContext(rootCtx)
	g, rootCtx := errgroup.WithContext(rootCtx)

	if err := beforeRun(c, log); err != nil {
		return err
	}
	opts, err := buildContextOptions(rootCtx, c)
	if err != nil {
		return err
	}
	factory, err := controller.NewContextFactory(rootCtx, opts)
	if err != nil {
		return err
	}
	ctx, err := factory.Build()
	if err != nil {
		return err
	}

	enabled := controllersToRun(c)
	log.Info(fmt.Sprintf("enabled controllers: %s", sets.List(enabled)))
	for _, name := range sets.List(enabled) {
		if _, ok := controller.Known()[name]; !ok {
			return fmt.Errorf("unknown controller %q (known: %s)", name, strings.Join(sets.List(sets.KeySet(controller.Known())), ", "))
		}
	}
	setupMetricsCollectors(ctx, enabled)

	if c.MetricsListenAddress != "" {
		ln, err := net.Listen("tcp", c.MetricsListenAddress)
		if err != nil {
			return fmt.Errorf("failed to listen on prometheus address %s: %v", c.MetricsListenAddress, err)
		}
		server := ctx.Metrics.NewServer(ln)
		g.Go(func() error {
			<-rootCtx.Done()
			shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			return server.Shutdown(shutdownCtx)
		})
		g.Go(func() error {
			log.V(logf.InfoLevel).Info("starting metrics server", "address", ln.Addr())
			if err := server.Serve(ln); err != http.ErrServerClosed {
				return err
			}
			return nil
		})
	}
	if c.HealthzListenAddress != "" {
		ln, err := net.Listen("tcp", c.HealthzListenAddress)
		if err != nil {
			return fmt.Errorf("failed to listen on healthz address %s: %v", c.HealthzListenAddress, err)
		}
		server := healthz.NewServer(c.LeaderElectionConfig.HealthzTimeout)
		g.Go(func() error {
			log.V(logf.InfoLevel).Info("starting healthz server", "address", ln.Addr())
			return server.Start(rootCtx, ln)
		})
	}

	for name, construct := range controller.Known() {
		clog := log.WithValues("controller", name)
		if !enabled.Has(name) {
			clog.V(logf.InfoLevel).Info("not starting controller as it's disabled")
			continue
		}
		if clusterScopedSkippedAtRun && c.Namespace != "" && slices.Contains(namespacedDisabledControllers(), name) {
			clog.V(logf.InfoLevel).Info("not starting controller as cert-manager has been scoped to a single namespace")
			continue
		}
		iface, err := construct(factory)
		if err != nil {
			cancel()
			_ = g.Wait()
			return fmt.Errorf("error starting controller: %v", err)
		}
		g.Go(func() error {
			clog.V(logf.InfoLevel).Info("starting controller")
			return runController(rootCtx, iface, c.NumberOfConcurrentWorkers)
		})
	}

	log.V(logf.DebugLevel).Info("starting shared informer factories")
	ctx.SharedInformerFactory.Start(rootCtx.Done())
	ctx.KubeSharedInformerFactory.Start(rootCtx.Done())
	ctx.HTTP01ResourceMetadataInformersFactory.Start(rootCtx.Done())
	if gatewayInformersEnabled(c) {
		ctx.GWShared.Start(rootCtx.Done())
	}

	err = g.Wait()
	shutdownInformers(ctx, c)
	if err != nil {
		return fmt.Errorf("error starting controller: %v", err)
	}
	log.V(logf.InfoLevel).Info("control loops exited")
	return nil
}

// signalContext mirrors internal/cmd/util.SetupExitHandler: the first
// SIGINT/SIGTERM cancels the context, a second one exits at once.
func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ch
		cancel()
		<-ch
		os.Exit(130)
	}()
	return ctx, func() { signal.Stop(ch); cancel() }
}
