package io.gatehouse.catalog;

import java.time.Instant;
import java.util.List;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.gatehouse.grants.AccessDecision;
import io.gatehouse.grants.DenialReason;
import io.gatehouse.identity.CurrentUser;
import io.gatehouse.db.Like;
import io.quarkus.panache.common.Parameters;

/** Lists the catalog a page at a time (keyset on id, newest first) and says for each item whether it is yours. */
@ApplicationScoped
public class CatalogService {

    public static final int PAGE_SIZE = 50;

    /** An item as one user sees it: available, or locked and why. */
    public record Entry(ContentItem item, DenialReason lockedBecause) {
        public boolean available() {
            return lockedBecause == null;
        }
    }

    /** One page; {@code nextAfter} is the id to continue from, or null on the last page. */
    public record Page(List<Entry> entries, Long nextAfter, String query) {
    }

    private final ContentAccess access;

    CatalogService(ContentAccess access) {
        this.access = access;
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Page page(CurrentUser user, String query, Long after, int size) {
        String search = query == null ? "" : query.strip();
        StringBuilder where = new StringBuilder("1 = 1");
        Parameters parameters = new Parameters();
        if (!search.isEmpty()) {
            where.append(" and title ilike :title escape '\\'");
            parameters.and("title", "%" + Like.escape(search) + "%");
        }
        if (after != null) {
            where.append(" and id < :after");
            parameters.and("after", after);
        }
        List<ContentItem> items = ContentItem.<ContentItem>find(where + " order by id desc", parameters)
                .page(0, size + 1).list();
        Long nextAfter = items.size() > size ? items.get(size - 1).id : null;
        if (items.size() > size) {
            items = items.subList(0, size);
        }
        Function<ContentItem, AccessDecision> decide = access.reader(user, items, Instant.now());
        List<Entry> entries = items.stream().map(item -> new Entry(item, decide.apply(item).denial())).toList();
        return new Page(entries, nextAfter, search);
    }
}
