package io.gatehouse.web;

import java.io.IOException;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;

import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * Every string of a JSON request body passes {@link TextInput}: a NUL or an unpaired surrogate anywhere in it is a
 * 400 naming the field ({@link ErrorMappers#unreadableJson}), not a database error later.
 */
@Singleton
public class TextInJson implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.registerModule(new SimpleModule("gatehouse-text").addDeserializer(String.class, new Checked()));
    }

    static final class Checked extends StdScalarDeserializer<String> {

        Checked() {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            String value = StringDeserializer.instance.deserialize(parser, context);
            String problem = TextInput.problemWith(value);
            if (problem != null) {
                throw InvalidFormatException.from(parser, "The value " + problem + ", which Gatehouse does not accept.", value,
                        String.class);
            }
            return value;
        }
    }
}
