package io.gatehouse.posture;

/** What applying a control would change, shown before it is applied; {@code refusal} says why it will not be. */
public record Plan(String id, String change, Object before, Object after, String refusal) {
}
