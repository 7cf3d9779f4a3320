package io.collector.jumpcloud.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where an organization's checkpoints are, whatever shape its routes had (jumpcloud.orgs-per-request):
 * pulled alone, in {@code <org>/<service>.json}; pulled in a group, in
 * {@code orgs-<digest>/<service>.json}, whose {@value #MEMBERS} lists the group. A route that starts
 * finds here the states other shapes left for its organizations, so an organization moved into or
 * out of a group neither starts over nor sends again what was sent.
 */
public final class OrganizationStates {
    private static final Logger LOG = LoggerFactory.getLogger(OrganizationStates.class);
    public static final String MEMBERS = "organizations.txt";
    private static final String GROUP_PREFIX = "orgs-";

    private final StateStore store;
    /** The group folders that list each organization, read from the state folder once (then kept up to date by {@link #remember}). */
    private java.util.Map<String, java.util.Set<String>> groupsByOrg;

    public OrganizationStates(StateStore store) {
        this.store = store;
    }

    /**
     * The organizations of a route's {@code organization}: none, one, or several joined by commas, as
     * the setting writes them (a route of one organization names its folder so; the group lists and
     * their lookups compare them in lower case).
     */
    public static List<String> members(String orgs) {
        List<String> out = new ArrayList<>();
        if (orgs != null) {
            for (String o : orgs.split(",")) {
                if (!o.isBlank()) {
                    out.add(o.trim());
                }
            }
        }
        return out;
    }

    private static List<String> lowerCase(List<String> members) {
        return members.stream().map(m -> m.toLowerCase(Locale.ROOT)).toList();
    }

    /**
     * A route's state key: the service alone (a single-tenant key), {@code <org>/<service>}, or for
     * several organizations {@code orgs-<digest>/<service>}, the digest of the sorted ids (a file name
     * of a hundred ids would be too long; the same group in another order is the same group).
     */
    public static String key(String service, String orgs) {
        List<String> m = members(orgs);
        if (m.isEmpty()) {
            return service;
        }
        return (m.size() == 1 ? orgs.trim() : groupFolder(m)) + "/" + service;
    }

    private static String groupFolder(List<String> members) {
        List<String> sorted = new ArrayList<>(lowerCase(members));
        sorted.sort(null);
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(String.join(",", sorted).getBytes(StandardCharsets.US_ASCII));
            return GROUP_PREFIX + HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** Writes a group's {@value #MEMBERS} once: what routes of a later shape read to find its members' checkpoints. */
    public void remember(String orgs) {
        List<String> m = lowerCase(members(orgs));
        if (m.size() < 2) {
            return;
        }
        String folder = groupFolder(m);
        Path f = store.dir().resolve(folder).resolve(MEMBERS);
        if (Files.exists(f)) {
            indexed(folder, m);
        } else {
            try {
                AtomicFiles.write(f, (String.join("\n", m) + "\n").getBytes(StandardCharsets.US_ASCII), "the list of a group's organizations");
                indexed(folder, m);
            } catch (RuntimeException e) {
                // the group runs without it; only a later change of jumpcloud.orgs-per-request needs it
                LOG.warn("Cannot write {} ({}): if jumpcloud.orgs-per-request changes later, the new routes of these organizations "
                        + "will not find this group's checkpoint", f.toAbsolutePath(), e.getMessage());
            }
        }
    }

    /**
     * The state keys other than {@code ownKey} that may hold a checkpoint of {@code org} for {@code service}:
     * the organization's own folder and every group folder that lists it.
     */
    public synchronized List<String> otherKeys(String org, String service, String ownKey) {
        List<String> keys = new ArrayList<>();
        keys.add(org.trim() + "/" + service);
        for (String folder : groups().getOrDefault(org.trim().toLowerCase(Locale.ROOT), java.util.Set.of())) {
            keys.add(folder + "/" + service);
        }
        keys.remove(ownKey);
        return keys;
    }

    private synchronized void indexed(String folder, List<String> members) {
        for (String m : members) {
            groups().computeIfAbsent(m, k -> new java.util.TreeSet<>()).add(folder);
        }
    }

    /** Each organization's group folders, as their {@value #MEMBERS} say: one pass over the state folder for all routes. */
    private synchronized java.util.Map<String, java.util.Set<String>> groups() {
        if (groupsByOrg == null) {
            groupsByOrg = new java.util.HashMap<>();
            if (Files.isDirectory(store.dir())) {
                try (DirectoryStream<Path> groups = Files.newDirectoryStream(store.dir(), GROUP_PREFIX + "*")) {
                    for (Path g : groups) {
                        Path list = g.resolve(MEMBERS);
                        if (Files.isRegularFile(list) && Files.size(list) < 1 << 20) {
                            for (String m : lowerCase(members(String.join(",", Files.readAllLines(list, StandardCharsets.US_ASCII))))) {
                                groupsByOrg.computeIfAbsent(m, k -> new java.util.TreeSet<>()).add(g.getFileName().toString());
                            }
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.warn("Cannot look for the group folders in {} ({}): an organization moved out of a group may send again what "
                            + "the group sent", store.dir().toAbsolutePath(), e.getMessage());
                }
            }
        }
        return groupsByOrg;
    }
}
