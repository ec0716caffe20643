package io.gatehouse.posture;

/**
 * One row of the posture page: a control's state as the store proved it, what was read and what Gatehouse wants,
 * the probe tried, and whether Gatehouse can apply it.
 */
public record Control(String id, Control.State state, String summary, Object current, Object desired, Control.Probe probe,
        boolean applicable) {

    public enum State {
        OK, MISSING, DRIFT, NOT_ENFORCED, NOT_SUPPORTED, ERROR
    }

    /** What a probe request was and what the store answered. */
    public record Probe(String request, String answer) {
    }

    Control withApplicable(boolean applicable) {
        return new Control(id, state, summary, current, desired, probe, this.applicable && applicable);
    }
}
