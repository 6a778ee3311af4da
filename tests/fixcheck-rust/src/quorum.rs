//! `quorum-math`: "Majority" (`n / 2` → `n / 2 + 1` where the result is compared with votes or
//! used as a quorum size).
pub fn has_quorum(votes: usize, peers: &[u64]) -> bool {
    votes >= peers.len() / 2
}

pub fn quorum_size(nodes: usize) -> u64 {
    let majority = (nodes / 2) as u64;
    majority
}
