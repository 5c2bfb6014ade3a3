// Launcher for cert-manager's cainjector, linked from the ROOT module
// github.com/cert-manager/cert-manager at a pinned release (the nested
// cainjector-binary module is not available from the module proxy here).
//
// It follows cmd/cainjector: configuration from cert-manager's versioned
// defaults (its config scheme), the real flag names for what it exposes,
// cert-manager's validation, and the same controller-runtime manager options
// around cainjector.RegisterAllInjectors. Release-specific glue lives in
// compat.go.
//
// Deliberate differences: leader election is off (and cannot be turned on;
// the leader election flags the chart passes are accepted and unused), the
// metrics server is off unless --metrics-listen-address is given (v1.16+; the
// real default is 0.0.0.0:9402; v1.14/v1.15 never serve metrics), no
// profiler, no metrics TLS, no --config file, the "starting cert-manager
// ca-injector" line is logged for every release (the real binary logs it from
// v1.19), and --kubeconfig is honoured by exporting it as KUBECONFIG when that
// is unset (the real binary registers --kubeconfig into its config but lets
// controller-runtime find the kubeconfig through KUBECONFIG/in-cluster only).
//
// What differs per release line is in compat.go: validation, the flags that
// only exist from some release on (--metrics-listen-address from v1.16,
// --ignore-namespaces from v1.21), the client cache options (Secrets read
// directly from v1.16) and cainjector.SetupOptions.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"
	apiext "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	kscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/clientcmd"
	cliflag "k8s.io/component-base/cli/flag"
	apireg "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	config "github.com/cert-manager/cert-manager/internal/apis/config/cainjector"
	configscheme "github.com/cert-manager/cert-manager/internal/apis/config/cainjector/scheme"
	configv1alpha1 "github.com/cert-manager/cert-manager/pkg/apis/config/cainjector/v1alpha1"
	cmscheme "github.com/cert-manager/cert-manager/pkg/client/clientset/versioned/scheme"
	"github.com/cert-manager/cert-manager/pkg/controller/cainjector"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
	"github.com/cert-manager/cert-manager/pkg/util"
	utilfeature "github.com/cert-manager/cert-manager/pkg/util/feature"
)

func main() {
	os.Exit(launch(os.Args[1:]))
}

func launch(args []string) int {
	logf.InitLogs()
	defer logf.FlushLogs()
	ctrl.SetLogger(logf.Log)

	cfg, err := newDefaultConfiguration()
	if err != nil {
		fmt.Fprintf(os.Stderr, "error: Failed to create new cainjector configuration: %v\n", err)
		return 1
	}
	cfg.LeaderElectionConfig.Enabled = false
	launcherDefaults(cfg)

	fs := pflag.NewFlagSet("cert-manager-cainjector", pflag.ContinueOnError)
	addFlags(fs, cfg)
	fs.AddGoFlagSet(flag.CommandLine)
	showVersion := fs.Bool("version", false, "Print the cert-manager version this launcher links, then exit.")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		return 2
	}
	if *showVersion {
		v := util.VersionInfo()
		fmt.Printf("cert-manager-cainjector %s (commit %s, %s, %s, launcher linking github.com/cert-manager/cert-manager %s)\n", v.GitVersion, v.GitCommit, v.GoVersion, v.Platform, v.GitVersion)
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
	if cfg.KubeConfig != "" && os.Getenv(clientcmd.RecommendedConfigPathEnvVar) == "" {
		_ = os.Setenv(clientcmd.RecommendedConfigPathEnvVar, cfg.KubeConfig)
	}

	ctx, stop := signalContext()
	defer stop()
	ctx = logf.NewContext(ctx, logf.Log)
	log := logf.FromContext(ctx, "cainjector")
	v := util.VersionInfo()
	log.Info("starting cert-manager ca-injector", "version", v.GitVersion, "git_commit", v.GitCommit, "go_version", v.GoVersion, "platform", v.Platform)
	if err := run(ctx, cfg); err != nil {
		logf.Log.Error(err, "error executing command")
		return 1
	}
	return 0
}

// newDefaultConfiguration is cmd/cainjector/app/options.NewCAInjectorConfiguration.
func newDefaultConfiguration() (*config.CAInjectorConfiguration, error) {
	scheme, _, err := configscheme.NewSchemeAndCodecs()
	if err != nil {
		return nil, err
	}
	versioned := &configv1alpha1.CAInjectorConfiguration{}
	scheme.Default(versioned)
	cfg := &config.CAInjectorConfiguration{}
	if err := scheme.Convert(versioned, cfg, nil); err != nil {
		return nil, err
	}
	return cfg, nil
}

func addFlags(fs *pflag.FlagSet, c *config.CAInjectorConfiguration) {
	fs.StringVar(&c.KubeConfig, "kubeconfig", c.KubeConfig, "Path to a kubeconfig (exported as KUBECONFIG when that is unset).")
	fs.StringVar(&c.Namespace, "namespace", c.Namespace, "If set, limits cainjector to a single namespace.")
	fs.BoolVar(&c.LeaderElectionConfig.Enabled, "leader-elect", c.LeaderElectionConfig.Enabled, "Accepted for compatibility; only false is supported.")
	fs.StringVar(&c.LeaderElectionConfig.Namespace, "leader-election-namespace", c.LeaderElectionConfig.Namespace, "Accepted for compatibility; unused (no leader election).")
	fs.DurationVar(&c.LeaderElectionConfig.LeaseDuration, "leader-election-lease-duration", c.LeaderElectionConfig.LeaseDuration, "Accepted for compatibility; unused (no leader election).")
	fs.DurationVar(&c.LeaderElectionConfig.RenewDeadline, "leader-election-renew-deadline", c.LeaderElectionConfig.RenewDeadline, "Accepted for compatibility; unused (no leader election).")
	fs.DurationVar(&c.LeaderElectionConfig.RetryPeriod, "leader-election-retry-period", c.LeaderElectionConfig.RetryPeriod, "Accepted for compatibility; unused (no leader election).")
	fs.BoolVar(&c.EnableDataSourceConfig.Certificates, "enable-certificates-data-source", c.EnableDataSourceConfig.Certificates, "Use Certificate resources as CA data sources.")
	fs.BoolVar(&c.EnableInjectableConfig.ValidatingWebhookConfigurations, "enable-validatingwebhookconfigurations-injectable", c.EnableInjectableConfig.ValidatingWebhookConfigurations, "Inject CA data into annotated ValidatingWebhookConfigurations.")
	fs.BoolVar(&c.EnableInjectableConfig.MutatingWebhookConfigurations, "enable-mutatingwebhookconfigurations-injectable", c.EnableInjectableConfig.MutatingWebhookConfigurations, "Inject CA data into annotated MutatingWebhookConfigurations.")
	fs.BoolVar(&c.EnableInjectableConfig.CustomResourceDefinitions, "enable-customresourcedefinitions-injectable", c.EnableInjectableConfig.CustomResourceDefinitions, "Inject CA data into annotated CustomResourceDefinitions.")
	fs.BoolVar(&c.EnableInjectableConfig.APIServices, "enable-apiservices-injectable", c.EnableInjectableConfig.APIServices, "Inject CA data into annotated APIServices.")
	fs.Var(cliflag.NewMapStringBool(&c.FeatureGates), "feature-gates", "key=value pairs for cert-manager feature gates. Options are:\n"+strings.Join(utilfeature.DefaultFeatureGate.KnownFeatures(), "\n"))
	logf.AddFlags(&c.Logging, fs)
	addReleaseFlags(fs, c)
}

// run is cmd/cainjector/app.Run without leader election, profiling or metrics TLS.
func run(ctx context.Context, opts *config.CAInjectorConfiguration) error {
	log := logf.FromContext(ctx)
	restConfig := util.RestConfigWithUserAgent(ctrl.GetConfigOrDie(), "cainjector")

	var defaultNamespaces map[string]cache.Config
	if opts.Namespace != "" {
		defaultNamespaces = map[string]cache.Config{opts.Namespace: {}}
	}

	scheme := runtime.NewScheme()
	utilruntime.Must(kscheme.AddToScheme(scheme))
	utilruntime.Must(cmscheme.AddToScheme(scheme))
	utilruntime.Must(apiext.AddToScheme(scheme))
	utilruntime.Must(apireg.AddToScheme(scheme))

	mgr, err := ctrl.NewManager(restConfig, ctrl.Options{
		Scheme: scheme,
		Cache: cache.Options{
			ReaderFailOnMissingInformer: true,
			DefaultNamespaces:           defaultNamespaces,
		},
		Client:         clientOptions(),
		LeaderElection: false,
		Metrics:        metricsserver.Options{BindAddress: metricsBindAddress(opts)},
	})
	if err != nil {
		return fmt.Errorf("error creating manager: %v", err)
	}

	if opts.EnableDataSourceConfig.Certificates {
		if err := awaitCertificateCRD(ctx, mgr); err != nil {
			log.Error(err, "the certificate data source cannot start")
			return err
		}
	}

	if err := cainjector.RegisterAllInjectors(ctx, mgr, setupOptions(opts, map[string]bool{
		cainjector.MutatingWebhookConfigurationName:   opts.EnableInjectableConfig.MutatingWebhookConfigurations,
		cainjector.ValidatingWebhookConfigurationName: opts.EnableInjectableConfig.ValidatingWebhookConfigurations,
		cainjector.APIServiceName:                     opts.EnableInjectableConfig.APIServices,
		cainjector.CustomResourceDefinitionName:       opts.EnableInjectableConfig.CustomResourceDefinitions,
	})); err != nil {
		log.Error(err, "failed to register controllers")
		return err
	}
	if err := mgr.Start(ctx); err != nil {
		return fmt.Errorf("error running manager: %v", err)
	}
	return nil
}

// awaitCertificateCRD holds the start until Certificates can be watched: the
// certificate data source watches them, and a watch on a kind the API server
// does not serve yet fails. It asks once a second, for five minutes at most;
// any answer but NotFound ends the wait.
func awaitCertificateCRD(ctx context.Context, mgr ctrl.Manager) error {
	const crdName = "certificates.cert-manager.io"
	log := logf.FromContext(ctx)
	reader, err := client.New(mgr.GetConfig(), client.Options{Scheme: mgr.GetScheme(), Mapper: mgr.GetRESTMapper()})
	if err != nil {
		return fmt.Errorf("failed to create client: %w", err)
	}
	giveUp := time.Now().Add(5 * time.Minute)
	for {
		var crd apiext.CustomResourceDefinition
		lookup := reader.Get(ctx, types.NamespacedName{Name: crdName}, &crd)
		switch {
		case lookup == nil:
			return nil
		case !apierrors.IsNotFound(lookup):
			return fmt.Errorf("looking up CRD %s: %w", crdName, lookup)
		case time.Now().After(giveUp):
			return fmt.Errorf("CRD %s still missing after 5m", crdName)
		}
		log.Info("waiting for a CRD the certificate data source needs", "crd", crdName)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

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
