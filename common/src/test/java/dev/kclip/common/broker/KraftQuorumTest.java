package dev.kclip.common.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class KraftQuorumTest {

    private static final String ID = KraftQuorum.newClusterId();

    @Test
    void parsesKafkasVoterFormatAndWritesItBackInNodeOrder() {
        KraftQuorum quorum = KraftQuorum.parse(ID, "3@c:9195, 1@a:9193,2@b:9194");
        assertEquals("1@a:9193,2@b:9194,3@c:9195", quorum.votersConfig());
        assertEquals(new KraftQuorum.HostPort("b", 9194), quorum.controller(2));
        assertThrows(IllegalArgumentException.class, () -> quorum.controller(4));
    }

    @Test
    void threeNodesReplicateThreeTimesWithTwoInSyncAndOneNodeStaysAlone() {
        KraftQuorum three = KraftQuorum.local(ID, List.of(1, 2, 3));
        assertEquals(3, three.replicationFactor());
        assertEquals(2, three.minInSyncReplicas());
        KraftQuorum five = KraftQuorum.local(ID, List.of(1, 2, 3, 4, 5));
        assertEquals(3, five.replicationFactor());
        KraftQuorum alone = KraftQuorum.local(ID, List.of(7));
        assertEquals(1, alone.replicationFactor());
        assertEquals(1, alone.minInSyncReplicas());
        assertEquals("1@localhost:7", alone.votersConfig());
    }

    @Test
    void rejectsMalformedVotersAndClusterIds() {
        for (String bad : List.of("1@a", "a@b:1", "1@:9", "1@a:x", "1@a:1,1@b:2", "")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KraftQuorum.parse(ID, bad),
                    bad);
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> KraftQuorum.local("not-a-uuid", List.of(1)));
    }
}
