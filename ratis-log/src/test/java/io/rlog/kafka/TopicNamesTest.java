package io.rlog.kafka;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlog.kafka.api.TopicNames;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class TopicNamesTest {

    @Property
    void namesOfLegalCharactersUpTo249AreValid(
            @ForAll @StringLength(min = 1, max = 249)
            @CharRange(from = 'a', to = 'z') @CharRange(from = 'A', to = 'Z') @CharRange(from = '0', to = '9')
            @Chars({'.', '_', '-'}) String name) {
        Assume.that(!name.equals(".") && !name.equals(".."));
        assertTrue(TopicNames.isValid(name));
    }

    @Property
    void anyOtherCharacterMakesANameInvalid(@ForAll @StringLength(min = 0, max = 20) String prefix,
                                            @ForAll char other) {
        Assume.that(!Character.isLetterOrDigit(other) || other > 'z');
        Assume.that(other != '.' && other != '_' && other != '-');
        assertFalse(TopicNames.isValid(prefix + other));
    }

    @Test
    void edgeCases() {
        assertFalse(TopicNames.isValid(""));
        assertFalse(TopicNames.isValid(null));
        assertFalse(TopicNames.isValid("."));
        assertFalse(TopicNames.isValid(".."));
        assertTrue(TopicNames.isValid("..."));
        assertFalse(TopicNames.isValid("a".repeat(250)));
        assertTrue(TopicNames.isValid("a".repeat(249)));
        assertFalse(TopicNames.isValid("é"));
    }
}
