package dev.kclip.concepts.job;

import dev.kclip.concepts.stream.ConceptState;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink's serializer of the concept model operator's keyed state: a length and the bytes of
 * {@link ConceptState#encode} (Avro). On the heap state backend it only runs at checkpoints and restores.
 */
final class ConceptStateSerializer extends TypeSerializer<ConceptState> {

    private static final long serialVersionUID = 1L;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<ConceptState> duplicate() {
        return this; // stateless
    }

    @Override
    public ConceptState createInstance() {
        return ConceptState.empty();
    }

    @Override
    public ConceptState copy(ConceptState from) {
        return ConceptState.decode(from.encode());
    }

    @Override
    public ConceptState copy(ConceptState from, ConceptState reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(ConceptState record, DataOutputView target) throws IOException {
        byte[] bytes = record.encode();
        target.writeInt(bytes.length);
        target.write(bytes);
    }

    @Override
    public ConceptState deserialize(DataInputView source) throws IOException {
        byte[] bytes = new byte[source.readInt()];
        source.readFully(bytes);
        return ConceptState.decode(bytes);
    }

    @Override
    public ConceptState deserialize(ConceptState reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        byte[] bytes = new byte[source.readInt()];
        source.readFully(bytes);
        target.writeInt(bytes.length);
        target.write(bytes); // not write(source, n): some targets do not grow for it
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof ConceptStateSerializer;
    }

    @Override
    public int hashCode() {
        return ConceptStateSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<ConceptState> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer has no configuration; schema evolution is Avro's, inside the bytes. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<ConceptState> {

        public Snapshot() {
            super(ConceptStateSerializer::new);
        }
    }
}
