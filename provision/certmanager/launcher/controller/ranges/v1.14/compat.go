// Release-specific glue for cert-manager v1.14.x.
//
// Compared with v1.15+: validation returns a plain error and the real binary
// applies the logging config as the "logging" field; controllers run with a
// stop channel; ContextOptions has no ConfigOptions (the gateway shim follows
// the feature gate alone); "--controllers=-foo" alone does not imply "*".
package main

import (
	"context"
	"fmt"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/clock"

	config "github.com/cert-manager/cert-manager/internal/apis/config/controller"
	"github.com/cert-manager/cert-manager/internal/apis/config/controller/validation"
	"github.com/cert-manager/cert-manager/internal/controller/feature"
	"github.com/cert-manager/cert-manager/pkg/acme/accounts"
	"github.com/cert-manager/cert-manager/pkg/controller"
	shimgatewaycontroller "github.com/cert-manager/cert-manager/pkg/controller/certificate-shim/gateways"
	clusterissuerscontroller "github.com/cert-manager/cert-manager/pkg/controller/clusterissuers"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
	"github.com/cert-manager/cert-manager/pkg/metrics"
	utilfeature "github.com/cert-manager/cert-manager/pkg/util/feature"
)

const (
	impliedDefaultControllers = false
	disabledRemovedLast       = false
	clusterScopedSkippedAtRun = true
)

func validateConfig(c *config.ControllerConfiguration) error {
	if err := validation.ValidateControllerConfiguration(c); err != nil {
		return fmt.Errorf("error validating flags: %w", err)
	}
	if err := logf.ValidateAndApplyAsField(&c.Logging, field.NewPath("logging")); err != nil {
		return fmt.Errorf("failed to validate controller logging flags: %w", err)
	}
	return nil
}

func extendContextOptions(o *controller.ContextOptions, _ *config.ControllerConfiguration, log logr.Logger) {
	o.Clock = clock.RealClock{}
	o.Metrics = metrics.New(log, clock.RealClock{})
	o.ACMEOptions.AccountRegistry = accounts.NewDefaultRegistry()
}

func gatewayInformersEnabled(*config.ControllerConfiguration) bool {
	return utilfeature.DefaultFeatureGate.Enabled(feature.ExperimentalGatewayAPISupport)
}

func gatewayControllers(c *config.ControllerConfiguration) []string {
	if gatewayInformersEnabled(c) {
		logf.Log.Info("enabling the sig-network Gateway API certificate-shim and HTTP-01 solver")
		return []string{shimgatewaycontroller.ControllerName}
	}
	return nil
}

// At this tag Run (not EnabledControllers) skips clusterissuers when
// --namespace is set (clusterScopedSkippedAtRun).
func namespacedDisabledControllers() []string {
	return []string{clusterissuerscontroller.ControllerName}
}

func beforeRun(*config.ControllerConfiguration, logr.Logger) error { return nil }

func setupMetricsCollectors(*controller.Context, sets.Set[string]) {}

func runController(ctx context.Context, iface controller.Interface, workers int) error {
	return iface.Run(workers, ctx.Done())
}

func shutdownInformers(*controller.Context, *config.ControllerConfiguration) {}
