package io.gatehouse.db;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LikeTest {

    @Test
    void wildcardsInTheSearchTextMatchThemselves() {
        assertThat(Like.escape("50%_off\\x")).isEqualTo("50\\%\\_off\\\\x");
    }

    /** Every string starting with the prefix sorts below the bound (code-point order), the next ones do not. */
    @Test
    void thePrefixUpperBoundIsTheLastCodePointPlusOne() {
        assertThat(Like.prefixUpperBound("gatehouse-demo/bench/77")).isEqualTo("gatehouse-demo/bench/78");
        assertThat(Like.prefixUpperBound("teams/a/")).isEqualTo("teams/a0");
        assertThat(Like.prefixUpperBound("x\uD7FF")).isEqualTo("x\uE000"); // skips the surrogate range
        assertThat(Like.prefixUpperBound("é" + new String(Character.toChars(Character.MAX_CODE_POINT)))).isEqualTo("ê");
        assertThat(Like.prefixUpperBound(new String(Character.toChars(Character.MAX_CODE_POINT)))).isNull();
        assertThat(Like.prefixUpperBound("")).isNull();
    }
}
