package io.collector.jumpcloud.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where an organization's states are under each route shape. */
class OrganizationStatesTest {
    static final String A = "5bf6defbdcd8233029e0c598";
    static final String B = "64a1b2c3d4e5f60718293a4b";
    static final String C = "65aa00000000000000000003";

    @TempDir
    Path dir;

    @Test
    void aGroupIsKeyedByItsMembersInAnyOrderAndFoundByEachOfThem() throws Exception {
        assertEquals("sso", OrganizationStates.key("sso", null));
        assertEquals(A + "/sso", OrganizationStates.key("sso", A));
        String ab = OrganizationStates.key("sso", A + "," + B);
        assertEquals(ab, OrganizationStates.key("sso", B + " , " + A.toUpperCase()), "the same group in another order or case");
        assertTrue(ab.matches("orgs-[0-9a-f]{16}/sso"), ab);
        assertTrue(!ab.equals(OrganizationStates.key("sso", A + "," + C)), "another group, another folder");

        OrganizationStates states = new OrganizationStates(new StateStore(dir));
        states.remember(A + "," + B);
        states.remember(A + "," + C);
        states.remember(B); // alone: no list
        String ac = OrganizationStates.key("sso", A + "," + C);
        assertEquals(List.of(A, B), Files.readAllLines(dir.resolve(ab.substring(0, ab.indexOf('/'))).resolve(OrganizationStates.MEMBERS)));
        assertEquals(java.util.Set.of(A + "/sso", ab, ac), java.util.Set.copyOf(states.otherKeys(A, "sso", "none")));
        assertEquals(java.util.Set.of(A + "/sso", ac), java.util.Set.copyOf(states.otherKeys(A, "sso", ab)), "not its own key");
        assertEquals(List.of(ac), states.otherKeys(C, "sso", C + "/sso"), "a route of C alone finds C's group");
    }

    /**
     * jumpcloud.org-id takes hex in either case, and a route of one organization keeps its folder as
     * the setting writes it: a group of that organization, written the same way, finds that folder.
     */
    @Test
    void anOrganizationWrittenInCapitalsIsFoundByItsGroup() throws Exception {
        String upper = A.toUpperCase(java.util.Locale.ROOT);
        String alone = OrganizationStates.key("sso", upper);
        OrganizationStates states = new OrganizationStates(new StateStore(dir));
        List<String> group = OrganizationStates.members(upper + "," + B);
        assertTrue(states.otherKeys(group.get(0), "sso", "none").contains(alone),
                "the organization's own folder as its route alone named it: " + states.otherKeys(group.get(0), "sso", "none"));
    }
}
