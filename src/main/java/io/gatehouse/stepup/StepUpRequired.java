package io.gatehouse.stepup;

import io.gatehouse.web.GatehouseException;

/** The action needs a more recent (or stronger) sign-in; {@code returnTo} is the page to come back to. */
public class StepUpRequired extends GatehouseException {

    private final String returnTo;

    StepUpRequired(String message, String returnTo) {
        super(401, "step_up_required", message);
        this.returnTo = returnTo;
    }

    public String returnTo() {
        return returnTo;
    }
}
