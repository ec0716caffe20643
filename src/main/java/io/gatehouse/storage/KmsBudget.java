package io.gatehouse.storage;

import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Meters the URLs whose use costs KMS requests (per team) and keeps them within the configured budget: past it, a new
 * SSE-KMS URL is refused with 429 and Retry-After before S3 would start failing on the quota. Fixed windows, per
 * replica (the budget is configured per replica for that reason).
 */
@ApplicationScoped
public class KmsBudget {

    private static final Logger LOG = Logger.getLogger(KmsBudget.class);

    /** The budget is spent for now: ask again after {@code retryAfterSeconds}; {@code message} says so in words. */
    public record Exhausted(long retryAfterSeconds, String message) {
    }

    /** What the posture page shows: the budget, this window's use and the highest use in the last minute. */
    public record Use(Integer budget, Duration window, int used, double peakShareLastMinute) {
    }

    private final KmsConfig config;
    private final MeterRegistry registry;
    private Instant windowStart = Instant.EPOCH;
    private int used;
    private boolean warned;
    private double peakShare;
    private Instant peakAt = Instant.EPOCH;

    KmsBudget(KmsConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
        Gauge.builder("gatehouse.kms.budget.used", this, budget -> budget.use().budget() == null ? Double.NaN
                : (double) budget.use().used() / budget.use().budget())
                .description("Share of the KMS request budget used in the current window (NaN: no budget configured)")
                .register(registry);
    }

    /**
     * Takes {@code requests} from the budget for {@code team}'s URLs; answers why not (the caller refuses with 429)
     * when the window's budget is spent, else null. Without a budget it only counts.
     */
    public Exhausted spend(String team, int requests) {
        synchronized (this) {
            Instant now = Instant.now();
            roll(now);
            Integer budget = config.budget().orElse(null);
            if (budget != null && used + requests > budget) {
                long wait = Math.max(1, Duration.between(now, windowStart.plus(config.budgetWindow())).toSeconds() + 1);
                return new Exhausted(wait, "Gatehouse has signed as many SSE-KMS URLs as its KMS request "
                        + "budget allows (" + budget + " per " + words(config.budgetWindow()) + "): try again in " + wait
                        + " s. Asking now would only make the store fail on the KMS quota later.");
            }
            used += requests;
            if (budget != null && !warned && used >= config.warnAt() * budget) {
                warned = true;
                LOG.warnf("KMS request budget: %d of %d used in this window (warning at %.0f%%)", used, budget,
                        config.warnAt() * 100);
            }
        }
        Counter.builder("gatehouse.kms.requests").description("SSE-KMS URLs signed (each use is a KMS request), by team")
                .tag("team", team).register(registry).increment(requests);
        return null;
    }

    public synchronized Use use() {
        Instant now = Instant.now();
        roll(now);
        Integer budget = config.budget().orElse(null);
        double share = budget == null ? 0 : (double) used / budget;
        double peak = peakAt.isAfter(now.minus(Duration.ofMinutes(1))) ? Math.max(peakShare, share) : share;
        return new Use(budget, config.budgetWindow(), used, peak);
    }

    public KmsConfig config() {
        return config;
    }

    private void roll(Instant now) {
        if (!now.isBefore(windowStart.plus(config.budgetWindow()))) {
            Integer budget = config.budget().orElse(null);
            if (budget != null && used > 0) {
                double share = (double) used / budget;
                if (share >= peakShare || peakAt.isBefore(now.minus(Duration.ofMinutes(1)))) {
                    peakShare = share;
                    peakAt = now;
                }
            }
            windowStart = now;
            used = 0;
            warned = false;
        }
    }

    private static String words(Duration window) {
        return window.toSeconds() == 1 ? "second" : window.toSeconds() + " s";
    }
}
