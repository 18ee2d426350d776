package dev.kclip.concepts.job;

import dev.kclip.concepts.state.PartialStatistics;
import dev.kclip.concepts.stream.EmbeddingInput;
import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.DriftReport;
import dev.kclip.schemas.LabelledPair;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ObjectArrayTypeInfo;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/** Flink type information of the streams between operators: Avro records by their schema, the rest as POJOs. */
final class ConceptTypes {

    static final TypeInformation<LabelledPair> LABELLED_PAIR = new AvroTypeInfo<>(LabelledPair.class);
    static final TypeInformation<CentroidSnapshot> CENTROID_SNAPSHOT = new AvroTypeInfo<>(CentroidSnapshot.class);
    static final TypeInformation<DriftReport> DRIFT_REPORT = new AvroTypeInfo<>(DriftReport.class);
    static final TypeInformation<DeadLetter> DEAD_LETTER = new AvroTypeInfo<>(DeadLetter.class);
    static final TypeInformation<RawEmbedding> RAW_EMBEDDING = TypeInformation.of(RawEmbedding.class);
    static final TypeInformation<EmbeddingInput> EMBEDDING_INPUT = TypeInformation.of(EmbeddingInput.class);
    /** A mini-batch of one teacher's records ({@link BatchRecords}). */
    static final TypeInformation<EmbeddingInput[]> EMBEDDING_BATCH = ObjectArrayTypeInfo.getInfoFor(
            EmbeddingInput[].class, EMBEDDING_INPUT);
    static final TypeInformation<ModelInput> MODEL_INPUT = TypeInformation.of(ModelInput.class);
    static final TypeInformation<PartialStatistics> PARTIAL_STATISTICS = new AvroTypeInfo<>(PartialStatistics.class);

    private ConceptTypes() {
    }
}
