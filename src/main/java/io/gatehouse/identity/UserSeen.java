package io.gatehouse.identity;

/** Fired (synchronously, in the transaction that records it) when the directory notes a user as seen. */
public record UserSeen(CurrentUser user) {
}
