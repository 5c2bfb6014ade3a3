// Launcher for cert-manager's webhook, linked from the ROOT module
// github.com/cert-manager/cert-manager at a pinned release (the nested
// webhook-binary module is not available from the module proxy here).
//
// The webhook's flags and configuration live in the root module
// (pkg/webhook/options), so this is cmd/webhook with cobra replaced by a plain
// pflag FlagSet: the same flags and defaults, the same --config file handling
// (flags given on the command line override the file), the same validation,
// and the same server (internal/webhook.NewCertManagerWebhookServer). Added:
// --version. The "starting cert-manager webhook" line is logged for every
// release (the real binary logs it from v1.19). Release-specific glue
// (validation) lives in compat.go.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/pflag"
	ctrl "sigs.k8s.io/controller-runtime"

	config "github.com/cert-manager/cert-manager/internal/apis/config/webhook"
	cmwebhook "github.com/cert-manager/cert-manager/internal/webhook"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
	"github.com/cert-manager/cert-manager/pkg/util"
	"github.com/cert-manager/cert-manager/pkg/util/configfile"
	utilfeature "github.com/cert-manager/cert-manager/pkg/util/feature"
	webhookconfigfile "github.com/cert-manager/cert-manager/pkg/webhook/configfile"
	"github.com/cert-manager/cert-manager/pkg/webhook/options"
)

func main() {
	os.Exit(launch(os.Args[1:]))
}

func launch(args []string) int {
	logf.InitLogs()
	defer logf.FlushLogs()
	ctrl.SetLogger(logf.Log)

	flags := options.NewWebhookFlags()
	cfg, err := options.NewWebhookConfiguration()
	if err != nil {
		fmt.Fprintf(os.Stderr, "error: Failed to create new webhook configuration: %v\n", err)
		return 1
	}
	fs := pflag.NewFlagSet("cert-manager-webhook", pflag.ContinueOnError)
	flags.AddFlags(fs)
	options.AddConfigFlags(fs, cfg)
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
		fmt.Printf("cert-manager-webhook %s (commit %s, %s, %s, launcher linking github.com/cert-manager/cert-manager %s)\n", v.GitVersion, v.GitCommit, v.GoVersion, v.Platform, v.GitVersion)
		return 0
	}
	if err := loadConfig(fs, args, flags.Config, cfg); err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		return 2
	}
	if err := validateConfig(cfg); err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		return 2
	}

	ctx, stop := signalContext()
	defer stop()
	ctx = logf.NewContext(ctx, logf.Log, "webhook")
	log := logf.FromContext(ctx, "webhook")
	v := util.VersionInfo()
	log.Info("starting cert-manager webhook", "version", v.GitVersion, "git_commit", v.GitCommit, "go_version", v.GoVersion, "platform", v.Platform)
	srv, err := cmwebhook.NewCertManagerWebhookServer(log, *cfg)
	if err == nil {
		err = srv.Run(ctx)
	}
	if err != nil {
		logf.Log.Error(err, "error executing command")
		return 1
	}
	return 0
}

// loadConfig is cmd/webhook/app's loadConfigFromFile: feature gates from the
// flags, then (with --config) the file, the flags parsed again on top of it,
// and the feature gates set again.
func loadConfig(fs *pflag.FlagSet, args []string, path string, cfg *config.WebhookConfiguration) error {
	setGates := func() error {
		if err := utilfeature.DefaultMutableFeatureGate.SetFromMap(cfg.FeatureGates); err != nil {
			return fmt.Errorf("failed to set feature gates from initial flags-based config: %w", err)
		}
		return nil
	}
	if err := setGates(); err != nil || path == "" {
		return err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("failed to load config file %s, error %v", path, err)
	}
	loader, err := configfile.NewConfigurationFSLoader(nil, abs)
	if err != nil {
		return fmt.Errorf("failed to load config file %s, error %v", path, err)
	}
	fromFile := webhookconfigfile.New()
	if err := loader.Load(fromFile); err != nil {
		return fmt.Errorf("failed to load config file %s, error %v", path, err)
	}
	fromFile.Config.DeepCopyInto(cfg)
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("failed to re-parse flags: %w", err)
	}
	return setGates()
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
